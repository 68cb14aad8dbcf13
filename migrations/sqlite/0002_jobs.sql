-- Scheduler state and the job queue.
ALTER TABLE application ADD COLUMN next_run_at TEXT;
CREATE INDEX application_next_run ON application(next_run_at);

CREATE TABLE job (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES application(id) ON DELETE CASCADE,
    agency_id       INTEGER NOT NULL REFERENCES agency(id),
    kind            TEXT NOT NULL CHECK (kind IN ('scheduled','manual')),
    scheduled_for   TEXT NOT NULL,
    enqueued_at     TEXT NOT NULL,
    late_secs       INTEGER NOT NULL DEFAULT 0,
    missed_slots    INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    max_attempts    INTEGER NOT NULL DEFAULT 3,
    run_after       TEXT NOT NULL,
    worker          TEXT,
    lease_until     TEXT,
    started_at      TEXT,
    finished_at     TEXT,
    evaluation_id   INTEGER REFERENCES evaluation(id) ON DELETE SET NULL,
    last_error      TEXT,
    UNIQUE (application_id, scheduled_for)
);
CREATE INDEX job_claim ON job(status, scheduled_for, id);
-- At most one running job per application, so its rate limit holds across workers.
CREATE UNIQUE INDEX job_one_running_per_app ON job(application_id) WHERE status = 'running';
