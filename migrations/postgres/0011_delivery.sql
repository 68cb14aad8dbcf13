-- Report delivery to the responsible agency and the outbox of e-mails and webhooks.
-- A delivery is approved once per evaluation; the PDF sent is kept with it, since the SOP
-- archives what was sent. Each message is retried with backoff until sent or failed.
CREATE TABLE report_delivery (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evaluation_id       BIGINT NOT NULL UNIQUE REFERENCES evaluation(id) ON DELETE CASCADE,
    agency              TEXT NOT NULL,
    application         TEXT NOT NULL,
    mode                TEXT NOT NULL CHECK (mode IN ('attachment','link')),
    approved_by         TEXT NOT NULL,
    approved_at         TIMESTAMPTZ NOT NULL,
    note                TEXT NOT NULL DEFAULT '',
    pdf                 BYTEA NOT NULL,
    pdf_sha256          TEXT NOT NULL,
    acknowledged_by     TEXT,
    acknowledged_at     TIMESTAMPTZ
);
CREATE INDEX report_delivery_agency ON report_delivery(agency, id);
CREATE INDEX report_delivery_unacked ON report_delivery(approved_at) WHERE acknowledged_at IS NULL;

CREATE TABLE outbox (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel             TEXT NOT NULL CHECK (channel IN ('email','webhook')),
    topic               TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    subject             TEXT NOT NULL DEFAULT '',
    body                TEXT NOT NULL,
    delivery_id         BIGINT REFERENCES report_delivery(id) ON DELETE CASCADE,
    attach_pdf          BOOLEAN NOT NULL DEFAULT FALSE,
    evaluation_id       BIGINT REFERENCES evaluation(id) ON DELETE SET NULL,
    status              TEXT NOT NULL CHECK (status IN ('queued','sent','failed')),
    attempts            BIGINT NOT NULL DEFAULT 0,
    max_attempts        BIGINT NOT NULL,
    next_attempt_at     TIMESTAMPTZ NOT NULL,
    last_error          TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    sent_at             TIMESTAMPTZ,
    dedup_key           TEXT UNIQUE
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_delivery ON outbox(delivery_id);
