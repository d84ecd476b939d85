-- A second factor (TOTP, RFC 6238; SPEC §4). `secret_sealed` is the account's secret once
-- confirmed, sealed with the master key like the security answer (context `totp:` and the
-- subscriber number); `pending_sealed` one being enrolled (until its first code, within
-- 10 minutes). `last_step` is the time step of the last code accepted: a code is accepted only
-- for a later step, so none is accepted twice, even from two replicas at once.
CREATE TABLE second_factors (
    account_id     BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    secret_sealed  BYTEA,
    enabled_at     BIGINT,
    last_step      BIGINT,
    pending_sealed BYTEA,
    pending_at     BIGINT
);

-- The 10 single-use recovery codes given at enrolment: SHA-256 of each (80 random bits), and
-- when it was used.
CREATE TABLE recovery_codes (
    account_id BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash  BYTEA   NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- Which account each e-mail is about (the one whose procedure wrote it, whoever it goes to): what
-- "Télécharger mes données" lists. Matching by address would show another account's mail (an
-- address changed to, or one that had another owner); mails written before this have none.
ALTER TABLE outbox ADD COLUMN account_id BIGINT;
CREATE INDEX outbox_by_account ON outbox(account_id);

-- The device each session was opened on (the hash `known_devices` keeps): when sessions are
-- ended, the devices are forgotten but the one of the session that stays.
ALTER TABLE sessions ADD COLUMN device_hash BYTEA;
