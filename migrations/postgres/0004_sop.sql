-- The evaluation SOP as a record: steps, manual items, the two decisions, and the finding
-- lifecycle across evaluations of one application.
ALTER TABLE evaluation ADD COLUMN retest_of BIGINT REFERENCES evaluation(id) ON DELETE SET NULL;

CREATE TABLE sop_step (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evaluation_id   BIGINT NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('done','skipped')),
    actor           TEXT NOT NULL,
    role            TEXT NOT NULL,
    output          TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    done_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (evaluation_id, step)
);

CREATE TABLE manual_result (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evaluation_id       BIGINT NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
    item_id             TEXT NOT NULL,
    outcome             TEXT NOT NULL CHECK (outcome IN ('pass','fail','not_applicable','inconclusive')),
    actor               TEXT NOT NULL,
    recorded_at         TIMESTAMPTZ NOT NULL,
    note                TEXT NOT NULL DEFAULT '',
    attachment_name     TEXT,
    attachment_sha256   TEXT,
    attachment          BYTEA,
    UNIQUE (evaluation_id, item_id)
);

CREATE TABLE decision_record (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evaluation_id   BIGINT NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('standard','action')),
    recommended     TEXT NOT NULL,
    decided         TEXT NOT NULL,
    agrees          BOOLEAN NOT NULL,
    actor           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    decided_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (evaluation_id, kind)
);

CREATE TABLE finding_state (
    application_id      BIGINT NOT NULL REFERENCES application(id) ON DELETE CASCADE,
    fingerprint         TEXT NOT NULL,
    item_id             TEXT NOT NULL,
    locator             TEXT,
    status              TEXT NOT NULL CHECK (status IN ('open','fix_reported','verified_fixed','reopened','accepted_risk','false_positive')),
    first_seen_eval     BIGINT NOT NULL,
    last_seen_eval      BIGINT NOT NULL,
    actor               TEXT,
    reason              TEXT,
    until               TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, fingerprint)
);

CREATE TABLE finding_event (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id  BIGINT NOT NULL REFERENCES application(id) ON DELETE CASCADE,
    fingerprint     TEXT NOT NULL,
    evaluation_id   BIGINT REFERENCES evaluation(id) ON DELETE SET NULL,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    actor           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX finding_event_fp ON finding_event(application_id, fingerprint, id);
