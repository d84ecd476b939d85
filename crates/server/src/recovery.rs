//! "Mot de passe oublié" (SPEC §2.7, hardened): address → e-mailed one-time code → security
//! question → answer and new password.

use std::net::IpAddr;
use std::sync::Arc;

use espace_pro_contract::LoginEmail;
use espace_pro_contract::api::{
    PasswordChangeResponse, RecoveryAccepted, RecoveryCompleteRequest, RecoveryQuestionRequest,
    RecoveryRequest, TicketResponse,
};
use unicode_normalization::UnicodeNormalization;

use crate::codes::{self, RECOVERY_VALIDITY_MINUTES, WrongCodeLimit};
use crate::errors::CodeError;
use crate::kinds::{AuditKind, CodeState, Purpose};
use crate::mail::templates;
use crate::passwords;
use crate::profile::security_answer;
use crate::services::Services;
use crate::store::{AuditEvent, Guard, Store, ts};
use crate::throttle::client_subject;

const PURPOSE: Purpose = Purpose::Recovery;

/// A recovery code this young is not replaced by a new request: the one in the mailbox works.
pub const KEEP_RECENT_CODE: time::Duration = time::Duration::minutes(10);

/// What step 1 answers for every address, in French; [`ACCEPTED_EN`] is its English twin.
pub fn accepted() -> RecoveryAccepted {
    RecoveryAccepted {
        message: format!(
            "Si cette adresse est celle d'un espace professionnel, un code vient d'y être envoyé. Il est valable {RECOVERY_VALIDITY_MINUTES} minutes. Pensez à consulter le dossier « Courrier indésirable »."
        ),
        code_validity_minutes: RECOVERY_VALIDITY_MINUTES,
    }
}

pub fn accepted_en() -> String {
    format!(
        "If this address is that of a professional account, a code has just been sent to it. It is valid for {RECOVERY_VALIDITY_MINUTES} minutes. Remember to look in the “Junk” folder."
    )
}

/// Answers the same whatever the address; the work for a real account is done after the answer,
/// so that the answer's timing says nothing either.
pub async fn request(
    svc: &Arc<Services>,
    req: &RecoveryRequest,
    client: IpAddr,
) -> Result<RecoveryAccepted, CodeError> {
    let email = LoginEmail::parse(&req.email).map_err(CodeError::InvalidEmail)?;
    let by_client = format!("recovery:{}", client_subject(client));
    let t = &svc.config.throttle;
    let counted = codes::take_window(
        svc,
        &by_client,
        t.recovery_requests_per_window,
        t.client_window,
    )
    .await?;
    svc.throttle.keep(counted).await?;
    // Counted for every address, known or not, before answering: the limit says nothing about
    // which addresses have accounts, and concurrent requests cannot all slip under it. Each
    // client has its own budget of mails to an address (someone else's requests do not use up
    // the owner's), within an overall one per address (no mail-bombing from many clients).
    let address = svc.throttle.email_subject(email.key());
    let hour = std::time::Duration::from_secs(3600);
    for (subject, max) in [
        (
            format!("recovery-mail:{}:{address}", client_subject(client)),
            t.recovery_mails_per_hour,
        ),
        (
            format!("recovery-mail:{address}"),
            t.recovery_mails_per_address_per_hour,
        ),
    ] {
        match svc.throttle.take_window(&subject, max, hour).await? {
            Ok(counted) => svc.throttle.keep(counted).await?,
            Err(_) => return Ok(accepted()),
        }
    }
    let svc = svc.clone();
    tokio::spawn(async move {
        if let Err(e) = send_code(&svc, &email, client).await {
            tracing::warn!(error = %e, "recovery request could not be recorded");
        }
    });
    Ok(accepted())
}

async fn send_code(svc: &Services, email: &LoginEmail, client: IpAddr) -> Result<(), CodeError> {
    let Some(account) = svc.store.account_by_email_key(email.key()).await? else {
        return Ok(());
    };
    let code = codes::new_code();
    let now = svc.now();
    let mail = templates::recovery_code(
        &svc.config.public_name,
        code.expose(),
        RECOVERY_VALIDITY_MINUTES,
    );
    let mut tx = svc.store.begin_write(&[Guard::Account(account.id)]).await?;
    // A code sent in the last minutes stays the one that works: a request by someone else (the
    // answer is the same for every address) cannot void the code the owner is about to type.
    if let Some(requested_at) =
        Store::live_recovery_requested_at(&mut tx, account.id, ts(now)).await?
        && ts(now) - requested_at < KEEP_RECENT_CODE.whole_seconds()
    {
        return Ok(());
    }
    Store::end_pending_code(&mut tx, PURPOSE, account.id, CodeState::Superseded, ts(now)).await?;
    Store::insert_recovery(
        &mut tx,
        account.id,
        &codes::code_hash(svc, PURPOSE, &code),
        ts(now),
        ts(now + PURPOSE.validity()),
    )
    .await?;
    Store::enqueue_mail(
        &mut tx,
        account.id,
        &account.login_email,
        &mail.subject,
        &mail.body,
        ts(now),
    )
    .await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, AuditKind::RecoveryRequested, now).from(client),
    )
    .await?;
    svc.commit_mail(tx).await?;
    Ok(())
}

pub async fn question(
    svc: &Services,
    req: &RecoveryQuestionRequest,
    client: IpAddr,
) -> Result<TicketResponse, CodeError> {
    let limit = WrongCodeLimit::reserve(svc, client).await?;
    let email = LoginEmail::parse(&req.email).ok();
    let recovery = match &email {
        Some(_) => codes::find(svc, PURPOSE, req.code.expose()).await?,
        None => None,
    };
    // A code sent to another address is as unknown as a code never sent.
    let found = match (recovery, &email) {
        (Some(r), Some(email)) => svc
            .store
            .account_by_id(r.account_id)
            .await?
            .filter(|a| a.login_email_key == email.key())
            .map(|a| (r, a)),
        _ => None,
    };
    let Some((recovery, account)) = found else {
        return Err(limit.fail(svc, CodeError::UnknownCode(PURPOSE)).await);
    };
    limit.succeed(svc).await?;
    codes::usable(PURPOSE, recovery.state, recovery.expires_at, svc.now())?;
    if account.security_question.is_empty() || account.security_answer_sealed.is_none() {
        return Err(CodeError::RecoveryUnavailable);
    }
    let mut ticket = codes::issue_ticket(
        svc,
        PURPOSE,
        recovery.id,
        Some(account.security_question.clone()),
    )
    .await?;
    ticket.password_context = passwords::context_of(&account)
        .words()
        .map(str::to_owned)
        .collect();
    Ok(ticket)
}

/// Answers compare without regard to case, accents' encoding, or surrounding and repeated spaces.
fn normalize_answer(answer: &str) -> String {
    answer
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn same_answer(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    // Compare digests, so the time taken does not depend on where the strings differ.
    Sha256::digest(normalize_answer(a).as_bytes()) == Sha256::digest(normalize_answer(b).as_bytes())
}

pub async fn complete(
    svc: &Services,
    req: &RecoveryCompleteRequest,
    client: IpAddr,
) -> Result<PasswordChangeResponse, CodeError> {
    let ticket = codes::presented_ticket(svc, PURPOSE, &req.ticket).await?;
    let now = svc.now();
    let mut conn = svc.store.begin().await?;
    let recovery = Store::code_by_id(&mut conn, PURPOSE, ticket.row.ref_id)
        .await?
        .ok_or(CodeError::TicketExpired)?;
    drop(conn);
    // A locked code answers like a wrong answer: parallel guesses must not tell the right one
    // by a different answer.
    match codes::usable(PURPOSE, recovery.state, recovery.expires_at, now) {
        Err(CodeError::Locked(_)) => return Err(CodeError::WrongAnswer),
        other => other?,
    }
    let account = svc
        .store
        .account_by_id(recovery.account_id)
        .await?
        .ok_or(CodeError::TicketExpired)?;

    // Answers have their own limits, not the log-in's (guessing here must not lock the owner out
    // of logging in): per client, and five per code, each counted before it is judged.
    let by_client = format!("recovery-answer:{}", client_subject(client));
    let t = &svc.config.throttle;
    let counted =
        codes::take_window(svc, &by_client, t.code_failures_per_window, t.client_window).await?;
    // The new password is judged before the answer, so that a refusal of it says nothing about
    // the answer.
    let hash =
        match passwords::check_and_hash(svc, &account, &req.new_password, &req.confirm_password)
            .await
        {
            Ok(hash) => hash,
            Err(e) => {
                svc.throttle.keep(counted).await?;
                return Err(e.into());
            }
        };
    let Some(count) = codes::reserve_attempt(svc, PURPOSE, &recovery).await? else {
        svc.throttle.keep(counted).await?;
        return Err(CodeError::WrongAnswer);
    };
    if !same_answer(
        req.security_answer.expose(),
        &security_answer(svc, &account)?,
    ) {
        svc.throttle.keep(counted).await?;
        let mut tx = svc.store.begin_write(&[Guard::Account(account.id)]).await?;
        if count >= codes::WRONG_ATTEMPT_LIMIT {
            Store::end_code(&mut tx, PURPOSE, recovery.id, CodeState::Locked, ts(now)).await?;
        }
        Store::audit(
            &mut tx,
            &AuditEvent::new(account.id, AuditKind::RecoveryWrongAnswer, now).from(client),
        )
        .await?;
        svc.store.commit(tx).await?;
        return Err(CodeError::WrongAnswer);
    }
    svc.throttle.release(counted).await?;

    let mut tx = svc.store.begin_write(&[Guard::Account(account.id)]).await?;
    match codes::redeem(&mut tx, PURPOSE, &ticket, CodeState::Used, now).await {
        // Locked by wrong answers judged meanwhile: this one answers as they did.
        Err(CodeError::Expired(_))
            if Store::code_by_id(&mut tx, PURPOSE, recovery.id)
                .await?
                .is_some_and(|r| r.state == CodeState::Locked) =>
        {
            return Err(CodeError::WrongAnswer);
        }
        other => other?,
    }
    let (valid_until, _) = passwords::install(&mut tx, svc, &account, &hash, None, now).await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, AuditKind::RecoveryCompleted, now).from(client),
    )
    .await?;
    svc.commit_mail(tx).await?;
    Ok(PasswordChangeResponse {
        valid_until,
        confirmation_sent_to: account.login_email.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_compare_loosely_on_form_strictly_on_content() {
        assert!(same_answer("  Paul ", "paul"));
        assert!(same_answer("Jean  Pierre", "jean pierre"));
        assert!(same_answer("Z\u{00E9}lie", "ze\u{0301}lie"));
        assert!(!same_answer("Paul", "Paule"));
        assert!(!same_answer("", "Paul"));
    }
}
