-- Kawal store, SQLite flavour. Timestamps are RFC 3339 text (UTC); JSON is text.
CREATE TABLE agency (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE application (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    url                 TEXT NOT NULL,
    agency_id           INTEGER NOT NULL REFERENCES agency(id),
    owner               TEXT NOT NULL,
    schedule            TEXT,
    timezone            TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    rate_limit          REAL,
    scope_hosts         TEXT NOT NULL DEFAULT '[]',
    public_service      INTEGER NOT NULL DEFAULT 0,
    personal_data       INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- Login recipes per role; the access-control module fills it (values encrypted at rest).
CREATE TABLE auth_profile (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES application(id) ON DELETE CASCADE,
    role            TEXT NOT NULL,
    recipe_sealed   BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (application_id, role)
);

CREATE TABLE evaluation (
    id                  INTEGER PRIMARY KEY,
    application_id      INTEGER REFERENCES application(id) ON DELETE CASCADE,
    target              TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('queued','running','finished','failed','interrupted')),
    checklist_id        TEXT NOT NULL,
    checklist_version   TEXT NOT NULL,
    worker              TEXT,
    heartbeat_at        TEXT,
    created_at          TEXT NOT NULL,
    started_at          TEXT,
    finished_at         TEXT,
    error               TEXT,
    meets_standard      INTEGER,
    summary             TEXT,
    report              TEXT
);
CREATE INDEX evaluation_app ON evaluation(application_id, id);
CREATE INDEX evaluation_status ON evaluation(status);

CREATE TABLE finding (
    id              INTEGER PRIMARY KEY,
    evaluation_id   INTEGER NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
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
