-- Trust a registered application needs, so scheduled runs use it too: the PEM text of a CA
-- bundle (kept in the database so every worker of a fleet has it) and the insecure switch.
ALTER TABLE application ADD COLUMN ca_bundle TEXT;
ALTER TABLE application ADD COLUMN insecure BOOLEAN NOT NULL DEFAULT FALSE;

-- Decision 1 "meets the standard" that still waits for critical/high manual items.
ALTER TABLE evaluation ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;

-- Fingerprint (never the key) of the key that seals login recipes, recorded at first use so a
-- machine with a different key refuses to start instead of failing job after job.
CREATE TABLE secret_key (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);

-- Application names are never purely numeric (such a name was confused with an id).
UPDATE application SET name = 'APP-' || name
    WHERE name ~ '^[0-9]+$'
      AND NOT EXISTS (SELECT 1 FROM application o WHERE lower(o.name) = lower('APP-' || application.name));
UPDATE application SET name = 'APP-' || name || '-' || id
    WHERE name ~ '^[0-9]+$';

-- Health of each scheduler (one row per host:pid), written every tick and on every error, so
-- `kawal jobs` on any machine shows a scheduler that is failing or has fallen silent.
CREATE TABLE scheduler_status (
    scheduler             TEXT PRIMARY KEY,
    tick_secs             BIGINT NOT NULL,
    last_ok_at            TIMESTAMPTZ,
    last_error            TEXT,
    last_error_at         TIMESTAMPTZ,
    failing_since         TIMESTAMPTZ,
    consecutive_failures  BIGINT NOT NULL DEFAULT 0,
    gave_up               BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at            TIMESTAMPTZ NOT NULL
);
