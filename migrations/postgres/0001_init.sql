-- Kawal store, PostgreSQL flavour. JSON is text so both back ends share the code.
CREATE TABLE agency (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE application (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    url                 TEXT NOT NULL,
    agency_id           BIGINT NOT NULL REFERENCES agency(id),
    owner               TEXT NOT NULL,
    schedule            TEXT,
    timezone            TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    rate_limit DOUBLE PRECISION,
    scope_hosts         TEXT NOT NULL DEFAULT '[]',
    public_service BOOLEAN NOT NULL DEFAULT FALSE,
    personal_data BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Login recipes per role; the access-control module fills it (values encrypted at rest).
CREATE TABLE auth_profile (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id  BIGINT NOT NULL REFERENCES application(id) ON DELETE CASCADE,
    role            TEXT NOT NULL,
    recipe_sealed   BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (application_id, role)
);

CREATE TABLE evaluation (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT REFERENCES application(id) ON DELETE CASCADE,
    target              TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('queued','running','finished','failed','interrupted')),
    checklist_id        TEXT NOT NULL,
    checklist_version   TEXT NOT NULL,
    worker              TEXT,
    heartbeat_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    error               TEXT,
    meets_standard BOOLEAN,
    summary             TEXT,
    report              TEXT
);
CREATE INDEX evaluation_app ON evaluation(application_id, id);
CREATE INDEX evaluation_status ON evaluation(status);

CREATE TABLE finding (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evaluation_id   BIGINT NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
    item_id         TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    severity        TEXT NOT NULL,
    locator         TEXT,
    summary_id      TEXT NOT NULL,
    summary_en      TEXT NOT NULL,
    evidence        TEXT NOT NULL DEFAULT '[]',
    figures         TEXT NOT NULL DEFAULT 'null',
    fingerprint     TEXT NOT NULL
);
CREATE INDEX finding_eval ON finding(evaluation_id);
CREATE INDEX finding_fingerprint ON finding(fingerprint);
