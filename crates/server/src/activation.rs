//! Changing the login e-mail, step 2 (SPEC §2.6): code and CAPTCHA, then the new address typed
//! again, then the swap.

use std::net::IpAddr;

use espace_pro_contract::LoginEmail;
use espace_pro_contract::api::{
    ActivationResult, CompleteActivationRequest, TicketResponse, VerifyCodeRequest,
};

use crate::accounts::subscriber_number;
use crate::captcha;
use crate::codes::{self, WrongCodeLimit};
use crate::dates::{format_date, password_valid_until};
use crate::errors::CodeError;
use crate::kinds::{AuditKind, CodeState, Purpose};
use crate::mail::templates;
use crate::services::Services;
use crate::store::{AuditEvent, Guard, Store, ts};

const PURPOSE: Purpose = Purpose::Activation;

/// Step 1: the code and a fresh CAPTCHA give a short-lived ticket.
pub async fn verify_code(
    svc: &Services,
    req: &VerifyCodeRequest,
    client: IpAddr,
) -> Result<TicketResponse, CodeError> {
    let limit = WrongCodeLimit::reserve(svc, client).await?;
    if !captcha::solve(svc, &req.captcha_id, &req.captcha_answer).await? {
        return Err(limit.fail(svc, CodeError::InvalidCaptcha).await);
    }
    let Some(change) = codes::find(svc, PURPOSE, req.code.expose()).await? else {
        return Err(limit.fail(svc, CodeError::UnknownCode(PURPOSE)).await);
    };
    limit.succeed(svc).await?;
    let now = svc.now();
    if let Err(e) = codes::usable(PURPOSE, change.state, change.expires_at, now) {
        let detail = match e {
            CodeError::Locked(_) => "code_locked",
            _ => "code_expired",
        };
        svc.store
            .audit_now(
                &AuditEvent::new(change.account_id, AuditKind::ActivationCodeRefused, now)
                    .from(client)
                    .detail(detail),
            )
            .await?;
        return Err(e);
    }
    codes::issue_ticket(svc, PURPOSE, change.id, None).await
}

/// Step 2: the new address typed again. Swaps the login address (and the password, if one was
/// given with the request), revokes every session, tells the old address.
pub async fn complete(
    svc: &Services,
    req: &CompleteActivationRequest,
    client: IpAddr,
) -> Result<ActivationResult, CodeError> {
    let ticket = codes::presented_ticket(svc, PURPOSE, &req.ticket).await?;
    let now = svc.now();
    let typed = LoginEmail::parse(&req.email).ok();

    // The account and the address the change is for, read first to name them (neither ever
    // changes on a change's row); all else is read again once they are guarded.
    let mut read = svc.store.begin().await?;
    let guarded = Store::change_by_id(&mut read, ticket.row.ref_id)
        .await?
        .ok_or(CodeError::TicketExpired)?;
    drop(read);
    let mut tx = svc
        .store
        .begin_write(&[
            Guard::Account(guarded.account_id),
            Guard::Address(&guarded.new_email_key),
        ])
        .await?;
    let change = Store::change_by_id(&mut tx, ticket.row.ref_id)
        .await?
        .filter(|c| c.account_id == guarded.account_id && c.new_email_key == guarded.new_email_key)
        .ok_or(CodeError::TicketExpired)?;
    codes::usable(PURPOSE, change.state, change.expires_at, now)?;
    if typed.as_ref().map(LoginEmail::key) != Some(change.new_email_key.as_str()) {
        let tries_left = codes::count_wrong_attempt(&mut tx, PURPOSE, change.id, now).await?;
        let kind = if tries_left == 0 {
            AuditKind::EmailChangeLocked
        } else {
            AuditKind::ActivationWrongAddress
        };
        Store::audit(
            &mut tx,
            &AuditEvent::new(change.account_id, kind, now).from(client),
        )
        .await?;
        svc.store.commit(tx).await?;
        return Err(if tries_left == 0 {
            CodeError::Locked(PURPOSE)
        } else {
            CodeError::WrongAddress { tries_left }
        });
    }
    let account = svc
        .store
        .account_by_id(change.account_id)
        .await?
        .ok_or(CodeError::TicketExpired)?;
    if !Store::update_login_email(
        &mut tx,
        account.id,
        &change.new_email,
        &change.new_email_key,
    )
    .await?
    {
        return Err(CodeError::EmailTaken);
    }
    // A password chosen with the request never replaces one set after it: any later password
    // change or recovery ended this request (`passwords::install`), so it cannot get here.
    if let Some(hash) = &change.new_password_hash {
        let until = password_valid_until(
            svc.config.time_zone.date(now),
            svc.config.password_validity_years,
        );
        Store::update_password(&mut tx, account.id, hash, ts(now), &format_date(until)).await?;
    }
    codes::redeem(&mut tx, PURPOSE, &ticket, CodeState::Activated, now).await?;
    Store::end_pending_code(
        &mut tx,
        Purpose::Recovery,
        account.id,
        CodeState::Superseded,
        ts(now),
    )
    .await?;
    Store::revoke_account_sessions(&mut tx, account.id, None, ts(now)).await?;
    Store::forget_devices_in(&mut tx, account.id, None).await?;
    let notice = templates::email_changed_notice(
        &svc.config.public_name,
        &svc.config.support.hotline,
        &change.new_email,
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
        &AuditEvent::new(account.id, AuditKind::EmailChangeActivated, now)
            .from(client)
            .detail(format!(
                "with_password={}",
                change.new_password_hash.is_some()
            )),
    )
    .await?;
    svc.commit_mail(tx).await?;

    let account = svc
        .store
        .account_by_id(account.id)
        .await?
        .ok_or(CodeError::TicketExpired)?;
    Ok(ActivationResult {
        civility: account.civility.clone(),
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        subscriber_number: subscriber_number(&account)?,
        login_email: account.login_email.clone(),
        activated_on: svc.config.time_zone.date(now),
    })
}
