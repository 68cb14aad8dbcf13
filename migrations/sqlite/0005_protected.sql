-- Paths only some roles may open, declared in the registration (JSON list of
-- {"pattern": "/admin/*", "allowed": ["admin"]}); the access-control check tests every other role.
ALTER TABLE application ADD COLUMN protected_paths TEXT NOT NULL DEFAULT '[]';
