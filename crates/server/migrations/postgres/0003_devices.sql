-- Sessions and devices (SPEC §4). Each session gets a public id (what the person's list and
-- `DELETE /v1/account/sessions/{id}` name: never the token's hash), the device it was opened on
-- and the client's address. `known_devices` holds the SHA-256 of each device id an account has
-- logged in from: a log-in from any other is told to the login address.
ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device_name TEXT;
ALTER TABLE sessions ADD COLUMN client_ip TEXT;
UPDATE sessions SET public_id = replace(gen_random_uuid()::text, '-', '');
ALTER TABLE sessions ALTER COLUMN public_id DROP DEFAULT;
CREATE UNIQUE INDEX sessions_by_public_id ON sessions(public_id);

CREATE TABLE known_devices (
    account_id    BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    device_hash   BYTEA  NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, device_hash)
);
