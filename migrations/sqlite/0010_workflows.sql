-- The SOP workflows (access requests, violations and sanctions, server-room visits) on one
-- engine. Personal data (NIK, phone) is kept only sealed in `pii` and purged after retention.
CREATE TABLE workflow (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    requester       TEXT NOT NULL,
    subject         TEXT,
    agency          TEXT,
    title           TEXT NOT NULL,
    fields          TEXT NOT NULL,
    pii             BLOB,
    pii_purged_at   TEXT,
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    closed_at       TEXT
);
CREATE INDEX workflow_kind_status ON workflow (kind, status, id);
CREATE INDEX workflow_requester ON workflow (requester);
CREATE INDEX workflow_subject ON workflow (subject);

CREATE TABLE workflow_step (
    id              INTEGER PRIMARY KEY,
    workflow_id     INTEGER NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    status          TEXT NOT NULL,
    decision        TEXT,
    actor           TEXT NOT NULL,
    role            TEXT NOT NULL,
    output          TEXT NOT NULL,
    note            TEXT NOT NULL,
    inputs          TEXT NOT NULL,
    done_at         TEXT NOT NULL,
    UNIQUE (workflow_id, step)
);

-- The current steps of open workflows, one row per role that may record them: "what is
-- waiting for me" and the SLA sweep read only this table.
CREATE TABLE workflow_pending (
    workflow_id     INTEGER NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    role            TEXT NOT NULL,
    due_at          TEXT,
    PRIMARY KEY (workflow_id, step, role)
);
CREATE INDEX workflow_pending_role_due ON workflow_pending (role, due_at);
CREATE INDEX workflow_pending_due ON workflow_pending (due_at);

CREATE TABLE workflow_file (
    id              INTEGER PRIMARY KEY,
    workflow_id     INTEGER NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    name            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    content         BLOB NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TEXT NOT NULL
);

-- Letter numbers: one counter per numbering scheme and year.
CREATE TABLE letter_seq (
    scheme          TEXT NOT NULL,
    year            INTEGER NOT NULL,
    last            INTEGER NOT NULL,
    PRIMARY KEY (scheme, year)
);

CREATE TABLE letter (
    id              INTEGER PRIMARY KEY,
    workflow_id     INTEGER REFERENCES workflow(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    number          TEXT NOT NULL UNIQUE,
    scheme          TEXT NOT NULL,
    year            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    content         TEXT NOT NULL,
    issued_by       TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    UNIQUE (scheme, year, seq)
);
CREATE INDEX letter_workflow ON letter (workflow_id, kind);

-- Access granted through an access-request workflow. The initial secret is kept sealed only
-- until it is viewed once; afterwards only its hash remains.
CREATE TABLE access_grant (
    id              INTEGER PRIMARY KEY,
    workflow_id     INTEGER NOT NULL UNIQUE REFERENCES workflow(id) ON DELETE CASCADE,
    username        TEXT NOT NULL,
    system          TEXT NOT NULL,
    level           TEXT NOT NULL,
    account         TEXT,
    valid_until     TEXT NOT NULL,
    status          TEXT NOT NULL,
    secret_sealed   BLOB,
    secret_hash     TEXT,
    link_hash       TEXT UNIQUE,
    link_expires_at TEXT,
    viewed_at       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX access_grant_user ON access_grant (username, system);
CREATE INDEX access_grant_until ON access_grant (status, valid_until);

-- The visitor log at the server-room door (one row per visit workflow) and the incident book.
CREATE TABLE visit (
    workflow_id     INTEGER PRIMARY KEY REFERENCES workflow(id) ON DELETE CASCADE,
    visitor         TEXT NOT NULL,
    institution     TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    badge           TEXT,
    devices_in      TEXT NOT NULL,
    devices_out     TEXT,
    mismatch        TEXT,
    id_returned     INTEGER,
    checkin_at      TEXT NOT NULL,
    checkout_at     TEXT
);
CREATE INDEX visit_checkin ON visit (checkin_at);

CREATE TABLE visit_incident (
    id              INTEGER PRIMARY KEY,
    workflow_id     INTEGER NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    note            TEXT NOT NULL,
    reported_by     TEXT NOT NULL,
    reported_at     TEXT NOT NULL
);
CREATE INDEX visit_incident_at ON visit_incident (reported_at);
