-- What the replicas' read caches serve (sessions, accounts, dossiers, pending e-mail changes)
-- announces its account whenever it changes: a NOTIFY on `espace_pro_cache`, sent with the
-- commit (and only if it commits), which every replica hears and drops that account's entries.
-- A new session or account needs no announcement: absent rows are never cached.

CREATE FUNCTION espace_pro_announce_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('espace_pro_cache', OLD.id::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('espace_pro_cache', NEW.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION espace_pro_announce_account_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('espace_pro_cache', OLD.account_id::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('espace_pro_cache', NEW.account_id::text);
    END IF;
    RETURN NULL;
END
$$;

-- A whole table emptied: every account.
CREATE FUNCTION espace_pro_announce_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('espace_pro_cache', '*');
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_announce AFTER UPDATE OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION espace_pro_announce_account();
-- A session's idle clock (`last_seen_at`, moved at most once a minute) is not announced: a
-- replica that kept an older value for the second its entry lives finds the session idle at
-- most that second sooner, never later, and the commits that announce (serialised by
-- PostgreSQL at commit) stay those of revocations and re-authentications.
CREATE TRIGGER sessions_announce AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
          OR OLD.auth_time IS DISTINCT FROM NEW.auth_time
          OR OLD.password_only IS DISTINCT FROM NEW.password_only
          OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.account_id IS DISTINCT FROM NEW.account_id)
    EXECUTE FUNCTION espace_pro_announce_account_id();
CREATE TRIGGER sessions_announce_deleted AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION espace_pro_announce_account_id();
CREATE TRIGGER dossiers_announce AFTER INSERT OR UPDATE OR DELETE ON dossiers
    FOR EACH ROW EXECUTE FUNCTION espace_pro_announce_account_id();
CREATE TRIGGER email_changes_announce AFTER INSERT OR UPDATE OR DELETE ON email_changes
    FOR EACH ROW EXECUTE FUNCTION espace_pro_announce_account_id();

CREATE TRIGGER accounts_announce_all AFTER TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION espace_pro_announce_all();
CREATE TRIGGER sessions_announce_all AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION espace_pro_announce_all();
CREATE TRIGGER dossiers_announce_all AFTER TRUNCATE ON dossiers
    FOR EACH STATEMENT EXECUTE FUNCTION espace_pro_announce_all();
CREATE TRIGGER email_changes_announce_all AFTER TRUNCATE ON email_changes
    FOR EACH STATEMENT EXECUTE FUNCTION espace_pro_announce_all();
