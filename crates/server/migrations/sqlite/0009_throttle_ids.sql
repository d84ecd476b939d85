-- An attempt's events are named by their ids until they are settled or taken back. SQLite gave
-- a deleted row's id to the next row when the deleted one had been the highest (an implicit
-- rowid): an attempt whose events a password change had forgotten could then, settling late,
-- take back another attempt's events, and a guess would go uncounted. AUTOINCREMENT never gives
-- an id twice. The column keeps the name `rowid`, so every statement reads as before (and as on
-- PostgreSQL, where the ids come from an identity column).
CREATE TABLE throttle_events_next (
    rowid   INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0
);
INSERT INTO throttle_events_next (rowid, subject, at, pending)
    SELECT rowid, subject, at, pending FROM throttle_events;
DROP TABLE throttle_events;
ALTER TABLE throttle_events_next RENAME TO throttle_events;
CREATE INDEX throttle_events_by_subject ON throttle_events(subject, at);
