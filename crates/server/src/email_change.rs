//! Changing the login e-mail, step 1 (SPEC §2.6): the request and its cancellation. The code goes
//! to the new address, a notice to the current one; step 2 is `activation`.

use std::net::IpAddr;

use espace_pro_contract::api::{EmailChangeRequest, EmailChangeResponse};
use espace_pro_contract::{LoginEmail, PasswordRule};

use crate::auth::{Fresh, Session, begin_write_as, reauthenticated_account, require_account};
use crate::codes::{self, ACTIVATION_VALIDITY};
use crate::errors::{AuthError, CredentialError, EmailProblem, NewPasswordError};
use crate::kinds::{AuditKind, CodeState, Purpose};
use crate::mail::templates;
use crate::passwords;
use crate::services::Services;
use crate::store::{AccountRow, AuditEvent, Store, ts};

/// The address rules, all of them: the new address parses, is typed twice alike, and is not the
/// current one.
fn check_new_email(
    account: &AccountRow,
    req: &EmailChangeRequest,
) -> (Option<LoginEmail>, Vec<EmailProblem>) {
    let new_email = match LoginEmail::parse(&req.new_email) {
        Ok(e) => e,
        Err(e) => return (None, vec![EmailProblem::Invalid(e)]),
    };
    let mut problems = Vec::new();
    if LoginEmail::parse(&req.confirm_email).ok().as_ref() != Some(&new_email) {
        problems.push(EmailProblem::Mismatch);
    }
    if new_email.key() == account.login_email_key {
        problems.push(EmailProblem::SameAsCurrent);
    }
    (Some(new_email), problems)
}

pub async fn request(
    svc: &Services,
    session: &Session,
    req: &EmailChangeRequest,
    client: IpAddr,
) -> Result<EmailChangeResponse, CredentialError> {
    let (account, _fresh) = reauthenticated_account(
        svc,
        session,
        req.current_password.as_ref(),
        req.totp_code.as_ref(),
        client,
    )
    .await?;

    let (new_email, email_problems) = check_new_email(&account, req);
    // The optional new password: checked now (with the address problems, so the user sees every
    // refusal at once), hashed only when all is well, applied at activation.
    let new_password = req.new_password.as_ref().filter(|p| !p.expose().is_empty());
    let mut password_failures: Vec<PasswordRule> = Vec::new();
    let mut checked_password = None;
    if let Some(new_password) = new_password {
        let empty = espace_pro_contract::Secret::new("");
        let confirmation = req.confirm_password.as_ref().unwrap_or(&empty);
        match passwords::check(
            svc,
            &account,
            new_password,
            confirmation,
            new_email.as_ref(),
        )
        .await
        {
            Ok(p) => checked_password = Some(p),
            Err(NewPasswordError::Refused(failures, _)) => password_failures = failures,
            Err(NewPasswordError::Fault(f)) => return Err(f.into()),
        }
    }
    let new_email = match new_email {
        Some(e) if email_problems.is_empty() && password_failures.is_empty() => e,
        _ => {
            return Err(CredentialError::Refused {
                email: email_problems,
                password: password_failures,
                policy: svc.config.policy,
            });
        }
    };
    // Each request sends a code to the new address and a notice to the current one: limited per
    // account and per new address, counted before anything is sent.
    let t = &svc.config.throttle;
    let hour = std::time::Duration::from_secs(3600);
    for (subject, max) in [
        (
            format!("email-change:account:{}", account.id),
            t.email_changes_per_account_per_hour,
        ),
        (
            format!(
                "email-change-to:{}",
                svc.throttle.email_subject(new_email.key())
            ),
            t.email_changes_per_address_per_hour,
        ),
    ] {
        match svc.throttle.take_window(&subject, max, hour).await? {
            Ok(counted) => svc.throttle.keep(counted).await?,
            Err(retry_after) => return Err(AuthError::Throttled { retry_after }.into()),
        }
    }
    let password_hash = match &checked_password {
        Some(p) => Some(svc.hasher.hash(p.expose()).await?),
        None => None,
    };
    let with_password = password_hash.is_some();

    let code = codes::new_code();
    let code_hash = codes::code_hash(svc, Purpose::Activation, &code);
    let now = svc.now();
    let expires_at = now + ACTIVATION_VALIDITY;
    let activation = templates::activation_code(&svc.config.public_name, code.expose());
    let notice = templates::email_change_notice(
        &svc.config.public_name,
        &svc.config.support.hotline,
        new_email.as_str(),
        with_password,
        now,
        &svc.config.time_zone,
    );
    let mut tx = begin_write_as(svc, session).await?;
    let replaced = Store::end_pending_code(
        &mut tx,
        Purpose::Activation,
        account.id,
        CodeState::Superseded,
        ts(now),
    )
    .await?;
    Store::insert_email_change(
        &mut tx,
        account.id,
        new_email.as_str(),
        new_email.key(),
        password_hash.as_deref(),
        &code_hash,
        ts(now),
        ts(expires_at),
    )
    .await?;
    for mail in [
        (new_email.as_str(), &activation),
        (&account.login_email, &notice),
    ] {
        Store::enqueue_mail(
            &mut tx,
            account.id,
            mail.0,
            &mail.1.subject,
            &mail.1.body,
            ts(now),
        )
        .await?;
    }
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, AuditKind::EmailChangeRequested, now)
            .from(client)
            .detail(format!(
                "with_password={with_password}; replaced_previous={replaced}"
            )),
    )
    .await?;
    svc.commit_mail(tx).await?;
    Ok(EmailChangeResponse {
        sent_to: new_email.as_str().to_owned(),
        notice_sent_to: account.login_email.clone(),
        expires_at,
        with_new_password: with_password,
    })
}

/// Cancels the pending change: needs a password entry of the last minutes (as seeing the
/// answer does), and the login address is told.
pub async fn cancel(svc: &Services, fresh: Fresh<'_>) -> Result<(), CredentialError> {
    let session = fresh.session();
    let account = require_account(&svc.store, session).await?;
    let now = svc.now();
    let mut tx = begin_write_as(svc, session).await?;
    let Some(new_email) =
        Store::end_pending_change(&mut tx, account.id, CodeState::Cancelled, ts(now)).await?
    else {
        return Err(CredentialError::NoPendingChange);
    };
    let notice = templates::email_change_cancelled(
        &svc.config.public_name,
        &svc.config.support.hotline,
        &new_email,
        now,
        &svc.config.time_zone,
    );
    Store::enqueue_mail(
        &mut tx,
        account.id,
        &account.login_email,
        &notice.subject,
        &notice.body,
        ts(now),
    )
    .await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, AuditKind::EmailChangeCancelled, now),
    )
    .await?;
    svc.commit_mail(tx).await?;
    Ok(())
}
