//! A new password for an account: the policy in force, judged with the account's own data as
//! context (SPEC §2.4), not the current password, then hashed. zxcvbn and Argon2 run off the
//! async threads. Then it takes effect: valid 3 years minus one day, the account's other
//! sessions revoked, the confirmation e-mail queued.

use espace_pro_contract::{LoginEmail, NewPassword, PasswordContext, PasswordRule, Secret};

use time::{Date, OffsetDateTime};

use crate::dates::{format_date, password_valid_until};
use crate::errors::{Fault, NewPasswordError};
use crate::kinds::{CodeState, Purpose};
use crate::mail::templates;
use crate::services::Services;
use crate::store::{AccountRow, Conn, Store, StoreError, ts};

pub fn context_of(account: &AccountRow) -> PasswordContext {
    PasswordContext::for_account(
        &account.first_name,
        &account.last_name,
        &account.login_email,
        &account.subscriber_number,
    )
}

/// Checks the password and its confirmation; `also_email` (the address an e-mail change asks
/// for) joins the context.
pub async fn check(
    svc: &Services,
    account: &AccountRow,
    new_password: &Secret,
    confirmation: &Secret,
    also_email: Option<&LoginEmail>,
) -> Result<NewPassword, NewPasswordError> {
    let policy = svc.config.policy;
    let mut ctx = context_of(account);
    if let Some(email) = also_email {
        ctx = ctx.with_email(email);
    }
    let (new_pw, confirm) = (
        new_password.expose().to_owned(),
        confirmation.expose().to_owned(),
    );
    let checked = tokio::task::spawn_blocking(move || policy.check(&new_pw, &confirm, &ctx))
        .await
        .map_err(|e| NewPasswordError::Fault(Fault::Task(e.to_string())))?
        .map_err(|failures| NewPasswordError::Refused(failures, policy))?;
    if svc
        .hasher
        .verify(checked.expose(), Some(&account.password_hash))
        .await?
    {
        return Err(NewPasswordError::Refused(
            vec![PasswordRule::SameAsCurrent],
            policy,
        ));
    }
    Ok(checked)
}

/// Checks, then hashes.
pub async fn check_and_hash(
    svc: &Services,
    account: &AccountRow,
    new_password: &Secret,
    confirmation: &Secret,
) -> Result<String, NewPasswordError> {
    let checked = check(svc, account, new_password, confirmation, None).await?;
    Ok(svc.hasher.hash(checked.expose()).await?)
}

/// The new password takes effect, in the caller's transaction: stored with its validity, every
/// session of the account revoked but `keep`, the confirmation e-mail queued, and what was
/// pending ended (SPEC §4: an e-mail change, whose code and password must not outlive the owner's
/// reaction, with a notice; a recovery). Returns the last valid day and how many sessions were
/// revoked.
pub async fn install(
    conn: &mut Conn,
    svc: &Services,
    account: &AccountRow,
    hash: &str,
    keep: Option<&[u8]>,
    now: OffsetDateTime,
) -> Result<(Date, u64), StoreError> {
    let valid_until = password_valid_until(
        svc.config.time_zone.date(now),
        svc.config.password_validity_years,
    );
    let until = format_date(valid_until);
    Store::update_password(conn, account.id, hash, ts(now), &until).await?;
    crate::throttle::Throttle::forget_address_in(
        conn,
        &svc.throttle.email_subject(&account.login_email_key),
    )
    .await?;
    let revoked = Store::revoke_account_sessions(conn, account.id, keep, ts(now)).await?;
    Store::forget_devices_in(conn, account.id, keep).await?;
    let name = &svc.config.public_name;
    let mut mails = vec![templates::password_changed(name, valid_until)];
    if let Some(new_email) =
        Store::end_pending_change(conn, account.id, CodeState::Superseded, ts(now)).await?
    {
        let hotline = &svc.config.support.hotline;
        mails.push(templates::pending_change_ended(name, hotline, &new_email));
    }
    Store::end_pending_code(
        conn,
        Purpose::Recovery,
        account.id,
        CodeState::Superseded,
        ts(now),
    )
    .await?;
    for mail in mails {
        let to = &account.login_email;
        Store::enqueue_mail(conn, account.id, to, &mail.subject, &mail.body, ts(now)).await?;
    }
    Ok((valid_until, revoked))
}
