-- Report delivery to the responsible agency and the outbox of e-mails and webhooks.
-- A delivery is approved once per evaluation; the PDF sent is kept with it, since the SOP
-- archives what was sent. Each message is retried with backoff until sent or failed.
CREATE TABLE report_delivery (
    id                  INTEGER PRIMARY KEY,
    evaluation_id       INTEGER NOT NULL UNIQUE REFERENCES evaluation(id) ON DELETE CASCADE,
    agency              TEXT NOT NULL,
    application         TEXT NOT NULL,
    mode                TEXT NOT NULL CHECK (mode IN ('attachment','link')),
    approved_by         TEXT NOT NULL,
    approved_at         TEXT NOT NULL,
    note                TEXT NOT NULL DEFAULT '',
    pdf                 BLOB NOT NULL,
    pdf_sha256          TEXT NOT NULL,
    acknowledged_by     TEXT,
    acknowledged_at     TEXT
);
CREATE INDEX report_delivery_agency ON report_delivery(agency, id);
CREATE INDEX report_delivery_unacked ON report_delivery(approved_at) WHERE acknowledged_at IS NULL;

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    channel             TEXT NOT NULL CHECK (channel IN ('email','webhook')),
    topic               TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    subject             TEXT NOT NULL DEFAULT '',
    body                TEXT NOT NULL,
    delivery_id         INTEGER REFERENCES report_delivery(id) ON DELETE CASCADE,
    attach_pdf          INTEGER NOT NULL DEFAULT 0,
    evaluation_id       INTEGER REFERENCES evaluation(id) ON DELETE SET NULL,
    status              TEXT NOT NULL CHECK (status IN ('queued','sent','failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    max_attempts        INTEGER NOT NULL,
    next_attempt_at     TEXT NOT NULL,
    last_error          TEXT,
    created_at          TEXT NOT NULL,
    sent_at             TEXT,
    dedup_key           TEXT UNIQUE
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_delivery ON outbox(delivery_id);
