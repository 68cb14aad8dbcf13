-- Registration-level permission for state-changing test requests (POST forms, bodies).
ALTER TABLE application ADD COLUMN allow_unsafe_methods INTEGER NOT NULL DEFAULT 0;
