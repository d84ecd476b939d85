//! Changing the login e-mail, step 1 (SPEC §2.6): the request, its cancellation, its view.

use std::net::IpAddr;

use axum::http::StatusCode;
use espace_pro_contract::api::{EmailChangeRequest, EmailChangeResponse, PendingEmailChange};
use espace_pro_contract::{ActivationCode, ErrorCode, LoginEmail, PasswordRule};
use rand::RngCore;
use time::Duration;

use crate::accounts::password_context;
use crate::auth::{Session, reauthenticate, require_account};
use crate::http::error::ApiError;
use crate::mail::templates;
use crate::services::Services;
use crate::store::{Store, from_ts, ts};

/// The guide's delay to activate.
pub const CODE_VALIDITY: Duration = Duration::hours(48);

pub fn new_code() -> ActivationCode {
    let mut rng = rand::rngs::OsRng;
    ActivationCode::generate(|| {
        let mut b = [0u8; 1];
        rng.fill_bytes(&mut b);
        b[0]
    })
}

pub async fn request(
    svc: &Services,
    session: &Session,
    req: &EmailChangeRequest,
    client: IpAddr,
) -> Result<EmailChangeResponse, ApiError> {
    let account = require_account(&svc.store, session).await?;
    reauthenticate(
        svc,
        session,
        &account,
        req.current_password.as_ref(),
        client,
    )
    .await?;

    // The address rules, all reported at once.
    let mut top: Option<(ErrorCode, &str)> = None;
    let mut error = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidEmail,
        "",
    );
    let new_email = match LoginEmail::parse(&req.new_email) {
        Ok(e) => Some(e),
        Err(e) => {
            error = error.with_field("new_email", e.code());
            top.get_or_insert((
                ErrorCode::InvalidEmail,
                "Saisissez une adresse électronique valide de 100 caractères au plus, comme nom@domaine.fr.",
            ));
            None
        }
    };
    if let Some(new) = &new_email {
        if LoginEmail::parse(&req.confirm_email).ok().as_ref() != Some(new) {
            error = error.with_field("confirm_email", "mismatch");
            top.get_or_insert((
                ErrorCode::EmailMismatch,
                "Les deux adresses saisies ne sont pas identiques : saisissez deux fois la même adresse.",
            ));
        }
        if new.key() == account.login_email_key {
            error = error.with_field("new_email", "same_as_current");
            top.get_or_insert((
                ErrorCode::SameAsCurrentEmail,
                "La nouvelle adresse est celle que vous utilisez déjà : saisissez une autre adresse.",
            ));
        }
    }

    // The optional new password: checked now, applied at activation.
    let wants_password = req
        .new_password
        .as_ref()
        .is_some_and(|p| !p.expose().is_empty());
    let mut password_hash = None;
    let mut password_failures: Vec<PasswordRule> = Vec::new();
    if wants_password {
        let policy = svc.config.policy;
        let mut ctx = password_context(
            &account.first_name,
            &account.last_name,
            &account.login_email,
            &account.subscriber_number,
        );
        if let Some(new) = &new_email {
            ctx = ctx.with_email(new);
        }
        let new_pw = req
            .new_password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        let confirm = req
            .confirm_password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        let checked = tokio::task::spawn_blocking(move || policy.check(&new_pw, &confirm, &ctx))
            .await
            .map_err(ApiError::internal)?;
        match checked {
            Ok(p) => {
                if svc
                    .hasher
                    .verify(p.expose(), Some(&account.password_hash))
                    .await?
                {
                    password_failures.push(PasswordRule::SameAsCurrent);
                } else if top.is_none() {
                    password_hash = Some(svc.hasher.hash(p.expose()).await?);
                }
            }
            Err(f) => password_failures = f,
        }
    }
    if !password_failures.is_empty() {
        let policy_error = ApiError::password_policy(&password_failures);
        for (field, codes) in &policy_error.fields {
            for code in codes {
                error = error.with_field(field, code);
            }
        }
        error.code = ErrorCode::PasswordPolicy;
        error.message = policy_error.message;
    }
    if let Some((code, message)) = top {
        // The address problem comes first; password problems, if any, are in `fields` too.
        error.code = code;
        error.message = message.to_owned();
    }
    if top.is_some() || !password_failures.is_empty() {
        return Err(error);
    }
    let new_email = new_email.ok_or_else(|| ApiError::internal("validated address missing"))?;

    let code = new_code();
    let code_hash = svc.key.code_hash("activation", code.expose());
    let now = svc.now();
    let expires_at = now + CODE_VALIDITY;
    let activation = templates::activation_code(&svc.config.public_name, code.expose());
    let notice = templates::email_change_notice(
        &svc.config.public_name,
        &svc.config.support.hotline,
        new_email.as_str(),
        wants_password,
        now,
    );
    let mut tx = svc.store.begin_write().await?;
    let replaced = Store::end_pending_change(&mut tx, account.id, "superseded", ts(now)).await?;
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
    Store::enqueue_mail(
        &mut tx,
        new_email.as_str(),
        &activation.subject,
        &activation.body,
        ts(now),
    )
    .await?;
    Store::enqueue_mail(
        &mut tx,
        &account.login_email,
        &notice.subject,
        &notice.body,
        ts(now),
    )
    .await?;
    Store::audit(
        &mut tx,
        Some(account.id),
        "email_change_requested",
        ts(now),
        Some(&client.to_string()),
        &format!("with_password={wants_password}; replaced_previous={replaced}"),
    )
    .await?;
    tx.commit().await?;
    svc.outbox.wake();
    Ok(EmailChangeResponse {
        sent_to: new_email.as_str().to_owned(),
        notice_sent_to: account.login_email,
        expires_at,
        with_new_password: wants_password,
    })
}

pub async fn cancel(svc: &Services, session: &Session) -> Result<(), ApiError> {
    let now = ts(svc.now());
    let mut tx = svc.store.begin_write().await?;
    if !Store::end_pending_change(&mut tx, session.account_id, "cancelled", now).await? {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Aucune modification d'adresse électronique n'est en attente.",
        ));
    }
    Store::audit(
        &mut tx,
        Some(session.account_id),
        "email_change_cancelled",
        now,
        None,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The pending change as the home screen shows it; an expired one is no longer pending.
pub async fn pending_view(
    svc: &Services,
    account_id: i64,
) -> Result<Option<PendingEmailChange>, ApiError> {
    let now = ts(svc.now());
    Ok(svc
        .store
        .pending_change(account_id)
        .await?
        .filter(|c| c.expires_at > now)
        .map(|c| PendingEmailChange {
            new_email: c.new_email,
            expires_at: from_ts(c.expires_at),
            with_new_password: c.new_password_hash.is_some(),
        }))
}
