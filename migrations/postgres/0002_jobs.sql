-- Scheduler state and the job queue.
ALTER TABLE application ADD COLUMN next_run_at TIMESTAMPTZ;
CREATE INDEX application_next_run ON application(next_run_at);

CREATE TABLE job (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id  BIGINT NOT NULL REFERENCES application(id) ON DELETE CASCADE,
    agency_id       BIGINT NOT NULL REFERENCES agency(id),
    kind            TEXT NOT NULL CHECK (kind IN ('scheduled','manual')),
    scheduled_for   TIMESTAMPTZ NOT NULL,
    enqueued_at     TIMESTAMPTZ NOT NULL,
    late_secs       BIGINT NOT NULL DEFAULT 0,
    missed_slots    BIGINT NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    max_attempts    BIGINT NOT NULL DEFAULT 3,
    run_after       TIMESTAMPTZ NOT NULL,
    worker          TEXT,
    lease_until     TIMESTAMPTZ,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    evaluation_id   BIGINT REFERENCES evaluation(id) ON DELETE SET NULL,
    last_error      TEXT,
    UNIQUE (application_id, scheduled_for)
);
CREATE INDEX job_claim ON job(status, scheduled_for, id);
-- At most one running job per application, so its rate limit holds across workers.
CREATE UNIQUE INDEX job_one_running_per_app ON job(application_id) WHERE status = 'running';
