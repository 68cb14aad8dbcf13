-- The SOP workflows (access requests, violations and sanctions, server-room visits) on one
-- engine. Personal data (NIK, phone) is kept only sealed in `pii` and purged after retention.
CREATE TABLE workflow (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL,
    requester       TEXT NOT NULL,
    subject         TEXT,
    agency          TEXT,
    title           TEXT NOT NULL,
    fields          TEXT NOT NULL,
    pii             BYTEA,
    pii_purged_at   TIMESTAMPTZ,
    status          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    closed_at       TIMESTAMPTZ
);
CREATE INDEX workflow_kind_status ON workflow (kind, status, id);
CREATE INDEX workflow_requester ON workflow (requester);
CREATE INDEX workflow_subject ON workflow (subject);

CREATE TABLE workflow_step (
    id              BIGSERIAL PRIMARY KEY,
    workflow_id     BIGINT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    status          TEXT NOT NULL,
    decision        TEXT,
    actor           TEXT NOT NULL,
    role            TEXT NOT NULL,
    output          TEXT NOT NULL,
    note            TEXT NOT NULL,
    inputs          TEXT NOT NULL,
    done_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (workflow_id, step)
);

-- The current steps of open workflows, one row per role that may record them: "what is
-- waiting for me" and the SLA sweep read only this table.
CREATE TABLE workflow_pending (
    workflow_id     BIGINT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    role            TEXT NOT NULL,
    due_at          TIMESTAMPTZ,
    PRIMARY KEY (workflow_id, step, role)
);
CREATE INDEX workflow_pending_role_due ON workflow_pending (role, due_at);
CREATE INDEX workflow_pending_due ON workflow_pending (due_at);

CREATE TABLE workflow_file (
    id              BIGSERIAL PRIMARY KEY,
    workflow_id     BIGINT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    name            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    content         BYTEA NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TIMESTAMPTZ NOT NULL
);

-- Letter numbers: one counter per numbering scheme and year.
CREATE TABLE letter_seq (
    scheme          TEXT NOT NULL,
    year            INTEGER NOT NULL,
    last            BIGINT NOT NULL,
    PRIMARY KEY (scheme, year)
);

CREATE TABLE letter (
    id              BIGSERIAL PRIMARY KEY,
    workflow_id     BIGINT REFERENCES workflow(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    number          TEXT NOT NULL UNIQUE,
    scheme          TEXT NOT NULL,
    year            INTEGER NOT NULL,
    seq             BIGINT NOT NULL,
    content         TEXT NOT NULL,
    issued_by       TEXT NOT NULL,
    issued_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (scheme, year, seq)
);
CREATE INDEX letter_workflow ON letter (workflow_id, kind);

-- Access granted through an access-request workflow. The initial secret is kept sealed only
-- until it is viewed once; afterwards only its hash remains.
CREATE TABLE access_grant (
    id              BIGSERIAL PRIMARY KEY,
    workflow_id     BIGINT NOT NULL UNIQUE REFERENCES workflow(id) ON DELETE CASCADE,
    username        TEXT NOT NULL,
    system          TEXT NOT NULL,
    level           TEXT NOT NULL,
    account         TEXT,
    valid_until     TEXT NOT NULL,
    status          TEXT NOT NULL,
    secret_sealed   BYTEA,
    secret_hash     TEXT,
    link_hash       TEXT UNIQUE,
    link_expires_at TIMESTAMPTZ,
    viewed_at       TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX access_grant_user ON access_grant (username, system);
CREATE INDEX access_grant_until ON access_grant (status, valid_until);

-- The visitor log at the server-room door (one row per visit workflow) and the incident book.
CREATE TABLE visit (
    workflow_id     BIGINT PRIMARY KEY REFERENCES workflow(id) ON DELETE CASCADE,
    visitor         TEXT NOT NULL,
    institution     TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    badge           TEXT,
    devices_in      TEXT NOT NULL,
    devices_out     TEXT,
    mismatch        TEXT,
    id_returned     BOOLEAN,
    checkin_at      TIMESTAMPTZ NOT NULL,
    checkout_at     TIMESTAMPTZ
);
CREATE INDEX visit_checkin ON visit (checkin_at);

CREATE TABLE visit_incident (
    id              BIGSERIAL PRIMARY KEY,
    workflow_id     BIGINT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    note            TEXT NOT NULL,
    reported_by     TEXT NOT NULL,
    reported_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX visit_incident_at ON visit_incident (reported_at);
