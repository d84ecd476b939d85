-- Each running service writes its row here every 10 seconds and removes it when it stops:
-- `rotate-key` refuses to run while a row is recent (a replica still running would go on with
-- the old key).
CREATE TABLE replicas (
    id         TEXT    PRIMARY KEY,
    host       TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
);

-- Audit events are pruned by age (`--audit-retention-days`).
CREATE INDEX audit_events_by_time ON audit_events(at);

-- What the service checks of its configuration against the database: `key_fingerprint`, a
-- keyed hash that tells which master key the data is sealed and keyed with (without telling
-- the key). A service with another key refuses to start, and stops if it changes under it.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
