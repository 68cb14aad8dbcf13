-- Accounts with the SOP roles, server-side sessions and API tokens. Secrets are kept only as
-- hashes: Argon2id for passwords, SHA-256 for 256-bit random session ids, tokens and links.
CREATE TABLE account (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    email               TEXT,
    agency              TEXT,
    password_hash       TEXT,
    setup_hash          TEXT UNIQUE,
    setup_expires_at    TEXT,
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE TABLE account_role (
    account_id  INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);

CREATE TABLE web_session (
    id_hash         TEXT PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    csrf_token      TEXT NOT NULL,
    client          TEXT,
    created_at      TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL
);
CREATE INDEX web_session_account ON web_session(account_id);

CREATE TABLE api_token (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    scopes          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT,
    revoked_at      TEXT,
    last_used_at    TEXT
);
CREATE INDEX api_token_account ON api_token(account_id);
