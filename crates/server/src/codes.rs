//! One-time codes, for the e-mail change (activation code, 48 hours) and the forgotten password
//! (recovery code, one hour) alike: drawing and hashing a code, finding it, checking its state
//! and age, the per-client limit on wrong codes, the ticket that carries a checked code to the
//! next step, and the lock after too many wrong attempts at that step.

use std::net::IpAddr;

use espace_pro_contract::api::TicketResponse;
use espace_pro_contract::{ActivationCode, Secret};
use rand::RngCore;
use time::{Duration, OffsetDateTime};

use crate::crypto::{new_token, token_hash};
use crate::errors::CodeError;
use crate::kinds::{CodeState, Purpose};
use crate::services::Services;
use crate::store::{CodeRow, Conn, Guard, Store, TicketRow, ts};
use crate::throttle::{Reservation, client_subject};

/// The guide's delay to activate.
pub const ACTIVATION_VALIDITY: Duration =
    Duration::hours(espace_pro_contract::code::ACTIVATION_VALIDITY_HOURS as i64);
/// The recovery code's life.
pub const RECOVERY_VALIDITY_MINUTES: u32 = espace_pro_contract::code::RECOVERY_VALIDITY_MINUTES;
/// Between a checked code and the next step.
pub const TICKET_VALIDITY: Duration = Duration::minutes(15);
/// Wrong attempts at the step after the code (address at activation, answer at recovery)
/// before the code is void.
pub const WRONG_ATTEMPT_LIMIT: i64 = 5;

impl Purpose {
    pub fn validity(self) -> Duration {
        match self {
            Purpose::Activation => ACTIVATION_VALIDITY,
            Purpose::Recovery => Duration::minutes(i64::from(RECOVERY_VALIDITY_MINUTES)),
        }
    }
}

/// A fresh code from the OS's random source.
pub fn new_code() -> ActivationCode {
    let mut rng = rand::rngs::OsRng;
    ActivationCode::generate(|| {
        let mut b = [0u8; 1];
        rng.fill_bytes(&mut b);
        b[0]
    })
}

/// The stored form of a code: keyed hash in the purpose's domain.
pub fn code_hash(svc: &Services, purpose: Purpose, code: &ActivationCode) -> String {
    svc.key.code_hash(purpose.hash_domain(), code.expose())
}

fn code_subject(client: IpAddr) -> String {
    format!("code:{}", client_subject(client))
}

/// Wrong codes (and wrong CAPTCHAs) are limited per client address, whatever their purpose: each
/// attempt is counted before it is checked, and taken back when the code was found.
pub struct WrongCodeLimit {
    reservation: Reservation,
}

impl WrongCodeLimit {
    /// Counts the attempt, or refuses when the client has reached the limit.
    pub async fn reserve(svc: &Services, client: IpAddr) -> Result<Self, CodeError> {
        let subject = code_subject(client);
        let t = &svc.config.throttle;
        match svc
            .throttle
            .take_window(&subject, t.code_failures_per_window, t.client_window)
            .await?
        {
            Ok(reservation) => Ok(Self { reservation }),
            Err(retry_after) => Err(CodeError::Throttled { retry_after }),
        }
    }

    /// A wrong attempt: it stays counted; gives back the error to answer.
    pub async fn fail(self, svc: &Services, error: CodeError) -> CodeError {
        match svc.throttle.keep(self.reservation).await {
            Ok(()) => error,
            Err(e) => e.into(),
        }
    }

    /// The code was found: the attempt no longer counts.
    pub async fn succeed(self, svc: &Services) -> Result<(), CodeError> {
        Ok(svc.throttle.release(self.reservation).await?)
    }
}

/// The code as typed, among the codes of `purpose` (whatever its state).
pub async fn find(
    svc: &Services,
    purpose: Purpose,
    typed: &str,
) -> Result<Option<CodeRow>, CodeError> {
    Ok(match ActivationCode::parse(typed) {
        Ok(code) => {
            svc.store
                .code_by_hash(purpose, &code_hash(svc, purpose, &code))
                .await?
        }
        Err(_) => None,
    })
}

/// A code may be used while pending and younger than its validity.
pub fn usable(
    purpose: Purpose,
    state: CodeState,
    expires_at: i64,
    now: OffsetDateTime,
) -> Result<(), CodeError> {
    match state {
        CodeState::Pending if ts(now) < expires_at => Ok(()),
        CodeState::Locked => Err(CodeError::Locked(purpose)),
        _ => Err(CodeError::Expired(purpose)),
    }
}

/// A ticket for the next step, bound to the code's row (with the security question, for the
/// recovery).
pub async fn issue_ticket(
    svc: &Services,
    purpose: Purpose,
    ref_id: i64,
    security_question: Option<String>,
) -> Result<TicketResponse, CodeError> {
    let (ticket, hash) = new_token();
    let expires_at = svc.now() + TICKET_VALIDITY;
    svc.store
        .insert_ticket(&hash, purpose, ref_id, ts(expires_at))
        .await?;
    Ok(TicketResponse {
        ticket: Secret::new(ticket),
        expires_at,
        security_question,
        password_context: Vec::new(),
    })
}

/// A counted request under a per-window limit (CAPTCHAs, recovery requests, recovery answers):
/// counted, or refused with the wait.
pub async fn take_window(
    svc: &Services,
    subject: &str,
    max: u32,
    window: std::time::Duration,
) -> Result<Reservation, CodeError> {
    match svc.throttle.take_window(subject, max, window).await? {
        Ok(reservation) => Ok(reservation),
        Err(retry_after) => Err(CodeError::Throttled { retry_after }),
    }
}

/// Counts one wrong attempt at the step after the code before the attempt is judged: `None` when
/// the code is no longer pending or has no attempt left. A right answer redeems the code
/// at once, so its attempt never needs taking back.
pub async fn reserve_attempt(
    svc: &Services,
    purpose: Purpose,
    code: &CodeRow,
) -> Result<Option<i64>, CodeError> {
    let mut tx = svc
        .store
        .begin_write(&[Guard::Account(code.account_id)])
        .await?;
    let count =
        Store::reserve_wrong_attempt(&mut tx, purpose, code.id, WRONG_ATTEMPT_LIMIT).await?;
    svc.store.commit(tx).await?;
    Ok(count)
}

/// A ticket presented at the next step: of this purpose, unused, in time.
pub struct Ticket {
    pub hash: Vec<u8>,
    pub row: TicketRow,
}

pub async fn presented_ticket(
    svc: &Services,
    purpose: Purpose,
    ticket: &Secret,
) -> Result<Ticket, CodeError> {
    let hash = token_hash(ticket.expose());
    let now = ts(svc.now());
    let row = svc
        .store
        .ticket(&hash)
        .await?
        .filter(|t| t.purpose == purpose && t.used_at.is_none() && t.expires_at > now)
        .ok_or(CodeError::TicketExpired)?;
    Ok(Ticket { hash, row })
}

/// Counts a wrong attempt at the step after the code; at the limit the code is locked. Returns
/// the attempts left (0 when locked).
pub async fn count_wrong_attempt(
    conn: &mut Conn,
    purpose: Purpose,
    id: i64,
    now: OffsetDateTime,
) -> Result<i64, CodeError> {
    let count = Store::reserve_wrong_attempt(conn, purpose, id, WRONG_ATTEMPT_LIMIT)
        .await?
        .unwrap_or(WRONG_ATTEMPT_LIMIT);
    if count >= WRONG_ATTEMPT_LIMIT {
        Store::end_code(conn, purpose, id, CodeState::Locked, ts(now)).await?;
    }
    Ok((WRONG_ATTEMPT_LIMIT - count).max(0))
}

/// Ends the code with `state` and spends the ticket, in the caller's transaction; if either was
/// already done (a concurrent request won), the code is no longer valid.
pub async fn redeem(
    conn: &mut Conn,
    purpose: Purpose,
    ticket: &Ticket,
    state: CodeState,
    now: OffsetDateTime,
) -> Result<(), CodeError> {
    if Store::end_code(conn, purpose, ticket.row.ref_id, state, ts(now)).await?
        && Store::use_ticket(conn, &ticket.hash, ts(now)).await?
    {
        Ok(())
    } else {
        Err(CodeError::Expired(purpose))
    }
}
