//! The OpenAPI 3.1 document, built from the route table and the Rust types (schemars).

use super::routes::{Access, ROUTES};
use serde_json::{Map, Value, json};

fn components() -> Map<String, Value> {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut g = settings.into_generator();
    // Each named schema the routes refer to; schemars adds what they refer to in turn.
    let mut named = Map::new();
    macro_rules! add {
        ($($name:literal => $t:ty),* $(,)?) => {
            $( named.insert($name.to_string(), g.subschema_for::<$t>().to_value()); )*
        };
    }
    add!(
        "App" => crate::store::App,
        "AppInput" => crate::service::AppInput,
        "PageApp" => crate::store::Page<crate::store::App>,
        "PageEvaluationRow" => crate::store::Page<crate::store::EvaluationRow>,
        "PageScopedFinding" => crate::store::Page<crate::store::ScopedFinding>,
        "Job" => crate::store::Job,
        "Account" => crate::store::Account,
        "NewUser" => crate::service::NewUser,
        "UserPatch" => super::api::UserPatch,
        "NewToken" => crate::service::NewToken,
        "ApiToken" => crate::store::ApiToken,
        "AuditEntry" => crate::store::AuditEntry,
        "AuditCheck" => crate::store::AuditCheck,
        "LoginBody" => super::api::LoginBody,
        "SetupBody" => super::api::SetupBody,
        "ManualBody" => super::api::ManualBody,
        "StepInput" => crate::service::StepInput,
        "DecideInput" => crate::service::DecideInput,
        "FindingStatusInput" => crate::service::FindingStatusInput,
        "FixInput" => crate::service::FixInput,
        "FixReported" => crate::service::FixReported,
        "StartBody" => super::workflows::StartBody,
        "AdvanceBody" => super::workflows::AdvanceBody,
        "CheckinBody" => super::workflows::CheckinBody,
        "CheckoutBody" => super::workflows::CheckoutBody,
        "IncidentBody" => super::workflows::IncidentBody,
        "ClaimBody" => super::workflows::ClaimBody,
        "SendInput" => crate::service::SendInput,
        "AckInput" => crate::service::AckInput,
        "Delivery" => crate::store::Delivery,
        "PageDelivery" => crate::store::Page<crate::store::Delivery>,
        "Acknowledged" => crate::service::Acknowledged,
    );
    let mut defs = g.take_definitions(true);
    for (name, schema) in named {
        // A name whose schema is only a reference to the same name is already defined.
        let self_ref = schema.get("$ref").and_then(Value::as_str)
            == Some(&format!("#/components/schemas/{name}"));
        if !self_ref {
            defs.insert(name, schema);
        }
    }
    defs.insert(
        "Object".into(),
        json!({ "type": "object", "additionalProperties": true }),
    );
    defs.insert(
        "Health".into(),
        json!({ "type": "object", "properties": { "status": { "type": "string" }, "checks": { "type": "object" } }, "required": ["status"] }),
    );
    defs.insert(
        "Session".into(),
        json!({ "type": "object", "properties": { "user": { "$ref": "#/components/schemas/Account" }, "csrf_token": { "type": ["string", "null"] } } }),
    );
    defs.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": { "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "enum": ["unauthenticated", "login_failed", "forbidden", "csrf", "not_found", "invalid", "conflict", "throttled", "unavailable", "internal"] },
                    "message": { "type": "string", "description": "in the request's language (Accept-Language)" },
                    "field": { "type": "string" },
                    "detail": { "type": "string" }
                }
            }}
        }),
    );
    defs
}

fn error_ref() -> Value {
    json!({ "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn operation(r: &super::routes::Route) -> Value {
    let (en, id) = r
        .summary
        .split_once(" / ")
        .unwrap_or((r.summary, r.summary));
    let params: Vec<Value> = r
        .params
        .iter()
        .map(|p| {
            json!({
                "name": p.name, "in": p.location, "required": p.location == "path",
                "description": p.doc, "schema": { "type": p.kind },
            })
        })
        .collect();
    let ok = if r.response == "html" {
        json!({ "description": "page", "content": { "text/html": { "schema": { "type": "string" } } } })
    } else if let Some(media) = match r.response {
        "css" => Some("text/css"),
        "js" => Some("text/javascript"),
        _ => None,
    } {
        json!({ "description": "static file", "content": { media: { "schema": { "type": "string" } } } })
    } else if r.response == "binary" {
        json!({ "description": "file", "content": { "application/octet-stream": { "schema": { "type": "string", "contentEncoding": "binary" } } } })
    } else {
        json!({ "description": "OK", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{}", r.response) } } } })
    };
    let mut responses = Map::new();
    responses.insert(r.status.to_string(), ok);
    if r.access != Access::Public {
        let mut m = error_ref();
        m["description"] = json!("not logged in");
        responses.insert("401".into(), m);
    }
    if let Access::Permission(_) = r.access {
        let mut m = error_ref();
        m["description"] = json!("not permitted, or a CSRF failure");
        responses.insert("403".into(), m);
    }
    let mut m = error_ref();
    m["description"] = json!("invalid input");
    responses.insert("422".into(), m);
    let mut op = json!({
        "tags": [r.tag],
        "summary": en,
        "description": id,
        "operationId": format!("{}_{}", r.method.to_lowercase(), r.path.trim_start_matches('/').replace(['/', '{', '}', '.', '-'], "_")),
        "parameters": params,
        "responses": responses,
    });
    match r.access {
        Access::Public => op["security"] = json!([]),
        Access::Authenticated => {}
        Access::Permission(perm) => op["x-kawal-permission"] = json!(perm),
    }
    if let Some(body) = r.body {
        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{body}") } } } });
    }
    op
}

/// The OpenAPI 3.1 document of the service.
pub fn document() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.to_lowercase()] = operation(r);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kawal API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Evaluasi keamanan aplikasi pemerintah daerah (Perban BSSN 4/2021). Pesan kesalahan mengikuti Accept-Language (id bawaan, en). / Security evaluation of local-government applications; error messages follow Accept-Language.",
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }, { "session": [] }],
        "paths": paths,
        "components": {
            "schemas": components(),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "API token (kawal token create)" },
                "session": { "type": "apiKey", "in": "cookie", "name": super::auth::COOKIE, "description": "browser session; state-changing requests also need the X-CSRF-Token header" },
            },
        },
    })
}
