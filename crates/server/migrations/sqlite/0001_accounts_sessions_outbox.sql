-- Instants are Unix seconds (INTEGER); calendar dates are 'YYYY-MM-DD' (TEXT).

CREATE TABLE accounts (
    id                    INTEGER PRIMARY KEY,
    subscriber_number     TEXT    NOT NULL UNIQUE,
    login_email           TEXT    NOT NULL,
    login_email_key       TEXT    NOT NULL UNIQUE,
    civility              TEXT    NOT NULL DEFAULT '',
    first_name            TEXT    NOT NULL,
    last_name             TEXT    NOT NULL,
    phone                 TEXT    NOT NULL DEFAULT '',
    address               TEXT    NOT NULL DEFAULT '',
    security_question     TEXT    NOT NULL DEFAULT '',
    security_answer_sealed BLOB,
    password_hash         TEXT    NOT NULL,
    password_changed_at   INTEGER NOT NULL,
    password_valid_until  TEXT    NOT NULL,
    created_at            INTEGER NOT NULL
);

CREATE TABLE dossiers (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    siren      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    PRIMARY KEY (account_id, siren)
);

CREATE TABLE subscriber_sequences (
    day  TEXT    PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash    BLOB    PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    auth_time     INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    password_only INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_account ON sessions(account_id);

-- Throttled events (failed log-ins, code attempts, e-mails requested) by subject: a hash of the
-- address typed (known or not, so throttling says nothing about which addresses have accounts),
-- or "client:<ip>", each with a prefix naming what is counted.
CREATE TABLE throttle_events (
    subject TEXT    NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX throttle_events_by_subject ON throttle_events(subject, at);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    sent_at         INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_unsent ON outbox(next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    kind       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    client_ip  TEXT,
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_by_account ON audit_events(account_id, at);
