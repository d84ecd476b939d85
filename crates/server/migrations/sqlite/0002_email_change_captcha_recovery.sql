-- Login e-mail changes waiting for their activation code (SPEC §2.6). At most one pending per
-- account; ended ones are kept (state and time) for the audit trail.
CREATE TABLE email_changes (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    new_email         TEXT    NOT NULL,
    new_email_key     TEXT    NOT NULL,
    new_password_hash TEXT,
    code_hash         TEXT    NOT NULL UNIQUE,
    requested_at      INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    wrong_addresses   INTEGER NOT NULL DEFAULT 0,
    state             TEXT    NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'activated', 'cancelled', 'superseded', 'locked')),
    ended_at          INTEGER
);
CREATE UNIQUE INDEX email_changes_one_pending ON email_changes(account_id) WHERE state = 'pending';

-- Forgotten-password requests (SPEC §2.7).
CREATE TABLE password_recoveries (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash     TEXT    NOT NULL UNIQUE,
    requested_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    wrong_answers INTEGER NOT NULL DEFAULT 0,
    state         TEXT    NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'used', 'superseded', 'locked')),
    ended_at      INTEGER
);
CREATE UNIQUE INDEX password_recoveries_one_pending ON password_recoveries(account_id) WHERE state = 'pending';

-- Short-lived tickets handed out after a code was verified; stored hashed.
CREATE TABLE tickets (
    token_hash BLOB    PRIMARY KEY,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('activation', 'recovery')),
    ref_id     INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE captchas (
    id          TEXT    PRIMARY KEY,
    answer_hash TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
);
