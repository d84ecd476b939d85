//! The reads an authenticated page makes, served from the read cache (`cache.rs`) and, when it
//! has nothing, read in one statement: the session with its account, the account's dossiers and
//! its pending e-mail change.

use std::sync::Arc;

use super::{AccountRow, EmailChangeRow, SessionRow, Store, StoreResult, on_pool};
use crate::kinds::CodeState;

/// What an account's pages show, read together.
#[derive(Debug, Clone)]
pub struct AccountRead {
    pub account: Arc<AccountRow>,
    /// Siren and name, by siren.
    pub dossiers: Arc<Vec<(String, String)>>,
    /// The pending e-mail change, if any (it may have expired).
    pub pending_change: Option<EmailChangeRow>,
}

/// The account's columns, then one dossier and the pending change, prefixed: one line per
/// dossier (one line if none).
const ACCOUNT_LINE: &str = "a.*, d.siren AS d_siren, d.name AS d_name, c.id AS c_id,
    c.new_email AS c_new_email, c.new_email_key AS c_new_email_key,
    c.new_password_hash AS c_new_password_hash, c.expires_at AS c_expires_at, c.state AS c_state";
/// At most one pending change per account (`email_changes_one_pending`).
const ACCOUNT_JOINS: &str = "LEFT JOIN dossiers d ON d.account_id = a.id
    LEFT JOIN email_changes c ON c.account_id = a.id AND c.state = 'pending'";

#[derive(sqlx::FromRow)]
struct AccountLine {
    #[sqlx(flatten)]
    account: AccountRow,
    d_siren: Option<String>,
    d_name: Option<String>,
    c_id: Option<i64>,
    c_new_email: Option<String>,
    c_new_email_key: Option<String>,
    c_new_password_hash: Option<String>,
    c_expires_at: Option<i64>,
    c_state: Option<CodeState>,
}

#[derive(sqlx::FromRow)]
struct SessionLine {
    #[sqlx(flatten)]
    line: AccountLine,
    s_token_hash: Vec<u8>,
    s_account_id: i64,
    s_created_at: i64,
    s_last_seen_at: i64,
    s_auth_time: i64,
    s_expires_at: i64,
    s_revoked_at: Option<i64>,
    s_password_only: bool,
    s_public_id: String,
    s_device_name: Option<String>,
    s_client_ip: Option<String>,
    s_device_hash: Option<Vec<u8>>,
}

impl SessionLine {
    fn session(&self) -> SessionRow {
        SessionRow {
            token_hash: self.s_token_hash.clone(),
            account_id: self.s_account_id,
            created_at: self.s_created_at,
            last_seen_at: self.s_last_seen_at,
            auth_time: self.s_auth_time,
            expires_at: self.s_expires_at,
            revoked_at: self.s_revoked_at,
            password_only: self.s_password_only,
            public_id: self.s_public_id.clone(),
            device_name: self.s_device_name.clone(),
            client_ip: self.s_client_ip.clone(),
            device_hash: self.s_device_hash.clone(),
        }
    }
}

/// The account of `lines` (all of one account), with every dossier: `None` for no line.
fn account_of(lines: impl IntoIterator<Item = AccountLine>) -> Option<AccountRead> {
    let mut lines = lines.into_iter();
    let first = lines.next()?;
    let pending_change = match (
        first.c_id,
        &first.c_new_email,
        &first.c_new_email_key,
        first.c_expires_at,
        first.c_state,
    ) {
        (Some(id), Some(new_email), Some(new_email_key), Some(expires_at), Some(state)) => {
            Some(EmailChangeRow {
                id,
                account_id: first.account.id,
                new_email: new_email.clone(),
                new_email_key: new_email_key.clone(),
                new_password_hash: first.c_new_password_hash.clone(),
                expires_at,
                state,
            })
        }
        _ => None,
    };
    let dossier = |l: &AccountLine| l.d_siren.clone().zip(l.d_name.clone());
    let mut dossiers: Vec<(String, String)> = dossier(&first).into_iter().collect();
    dossiers.extend(lines.filter_map(|l| dossier(&l)));
    Some(AccountRead {
        account: Arc::new(first.account),
        dossiers: Arc::new(dossiers),
        pending_change,
    })
}

impl Store {
    /// The session of this token's hash and its account's read: from the read cache, or both
    /// in one statement.
    pub async fn session_read(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<(Arc<SessionRow>, Arc<AccountRead>)>> {
        // The account written since it was read: the session may have been too.
        if let Some(session) = self.cache.session(token_hash)
            && let Some(read) = self.cache.account(session.account_id)
        {
            return Ok(Some((session, read)));
        }
        let read_in = self.cache.note();
        let sql = format!(
            "SELECT s.token_hash AS s_token_hash, s.account_id AS s_account_id,
                s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at,
                s.auth_time AS s_auth_time, s.expires_at AS s_expires_at,
                s.revoked_at AS s_revoked_at, s.password_only AS s_password_only,
                s.public_id AS s_public_id, s.device_name AS s_device_name,
                s.client_ip AS s_client_ip, s.device_hash AS s_device_hash, {ACCOUNT_LINE}
             FROM sessions s JOIN accounts a ON a.id = s.account_id {ACCOUNT_JOINS}
             WHERE s.token_hash = $1 ORDER BY d.siren"
        );
        let lines: Vec<SessionLine> =
            on_pool!(self.pool, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .fetch_all(p)
                .await)?;
        let Some(session) = lines.first().map(|l| Arc::new(l.session())) else {
            return Ok(None);
        };
        let read = account_of(lines.into_iter().map(|l| l.line)).map(Arc::new);
        let Some(read) = read else {
            return Ok(None);
        };
        self.cache.put_session(read_in, session.clone());
        self.cache.put_account(read_in, read.clone());
        Ok(Some((session, read)))
    }

    /// The session of this token's hash, if any.
    pub async fn session(&self, token_hash: &[u8]) -> StoreResult<Option<Arc<SessionRow>>> {
        Ok(self.session_read(token_hash).await?.map(|(s, _)| s))
    }

    /// The account's read: from the read cache, or in one statement.
    pub async fn account_read(&self, id: i64) -> StoreResult<Option<Arc<AccountRead>>> {
        if let Some(read) = self.cache.account(id) {
            return Ok(Some(read));
        }
        let read_in = self.cache.note();
        let sql = format!(
            "SELECT {ACCOUNT_LINE} FROM accounts a {ACCOUNT_JOINS} WHERE a.id = $1 ORDER BY d.siren"
        );
        let lines: Vec<AccountLine> =
            on_pool!(self.pool, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_all(p)
                .await)?;
        let read = account_of(lines).map(Arc::new);
        if let Some(read) = &read {
            self.cache.put_account(read_in, read.clone());
        }
        Ok(read)
    }

    /// The account as the database has it now, never from the read cache: what a password, a
    /// security answer or an address is checked against, and what a procedure writes from
    /// (another replica's change may not be heard of yet).
    pub async fn account_by_id(&self, id: i64) -> StoreResult<Option<Arc<AccountRow>>> {
        let sql = "SELECT * FROM accounts WHERE id = $1";
        let row: Option<AccountRow> = on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(p)
            .await)?;
        Ok(row.map(Arc::new))
    }

    /// The account of the session of this token's hash, as the database has it now, if the
    /// session is not revoked (never from the read cache: a session ended on another replica a
    /// moment ago, not yet heard of, reads nothing through it).
    pub async fn account_of_live_session(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<Arc<AccountRow>>> {
        let sql = "SELECT a.* FROM sessions s JOIN accounts a ON a.id = s.account_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL";
        let row: Option<AccountRow> = on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await)?;
        Ok(row.map(Arc::new))
    }

    /// The account's dossiers (siren, name), by siren.
    pub async fn dossiers(&self, account_id: i64) -> StoreResult<Vec<(String, String)>> {
        Ok(self
            .account_read(account_id)
            .await?
            .map(|r| r.dossiers.as_ref().clone())
            .unwrap_or_default())
    }

    /// The account's pending e-mail change, if any (it may have expired).
    pub async fn pending_change(&self, account_id: i64) -> StoreResult<Option<EmailChangeRow>> {
        Ok(self
            .account_read(account_id)
            .await?
            .and_then(|r| r.pending_change.clone()))
    }
}
