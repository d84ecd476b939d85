-- One row that `/readyz` rewrites: a database that cannot be written is not ready.
CREATE TABLE readiness (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);
INSERT INTO readiness (id, at) VALUES (1, 0);
