-- The evaluation SOP as a record: steps, manual items, the two decisions, and the finding
-- lifecycle across evaluations of one application.
ALTER TABLE evaluation ADD COLUMN retest_of INTEGER REFERENCES evaluation(id) ON DELETE SET NULL;

CREATE TABLE sop_step (
    id              INTEGER PRIMARY KEY,
    evaluation_id   INTEGER NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('done','skipped')),
    actor           TEXT NOT NULL,
    role            TEXT NOT NULL,
    output          TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    done_at         TEXT NOT NULL,
    UNIQUE (evaluation_id, step)
);

CREATE TABLE manual_result (
    id                  INTEGER PRIMARY KEY,
    evaluation_id       INTEGER NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
    item_id             TEXT NOT NULL,
    outcome             TEXT NOT NULL CHECK (outcome IN ('pass','fail','not_applicable','inconclusive')),
    actor               TEXT NOT NULL,
    recorded_at         TEXT NOT NULL,
    note                TEXT NOT NULL DEFAULT '',
    attachment_name     TEXT,
    attachment_sha256   TEXT,
    attachment          BLOB,
    UNIQUE (evaluation_id, item_id)
);

CREATE TABLE decision_record (
    id              INTEGER PRIMARY KEY,
    evaluation_id   INTEGER NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('standard','action')),
    recommended     TEXT NOT NULL,
    decided         TEXT NOT NULL,
    agrees          INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    decided_at      TEXT NOT NULL,
    UNIQUE (evaluation_id, kind)
);

CREATE TABLE finding_state (
    application_id      INTEGER NOT NULL REFERENCES application(id) ON DELETE CASCADE,
    fingerprint         TEXT NOT NULL,
    item_id             TEXT NOT NULL,
    locator             TEXT,
    status              TEXT NOT NULL CHECK (status IN ('open','fix_reported','verified_fixed','reopened','accepted_risk','false_positive')),
    first_seen_eval     INTEGER NOT NULL,
    last_seen_eval      INTEGER NOT NULL,
    actor               TEXT,
    reason              TEXT,
    until               TEXT,
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (application_id, fingerprint)
);

CREATE TABLE finding_event (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES application(id) ON DELETE CASCADE,
    fingerprint     TEXT NOT NULL,
    evaluation_id   INTEGER REFERENCES evaluation(id) ON DELETE SET NULL,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    actor           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    at              TEXT NOT NULL
);
CREATE INDEX finding_event_fp ON finding_event(application_id, fingerprint, id);
