//! Accounts: provisioning, the home view, the password change.

use std::net::IpAddr;

use espace_pro_contract::api::{
    AccountView, Dossier, PasswordChangeRequest, PasswordChangeResponse, PendingEmailChange,
};
use espace_pro_contract::{
    LoginEmail, PasswordContext, PasswordPolicy, PasswordRule, SubscriberNumber,
};

use crate::auth::{Session, begin_write_as, reauthenticated_account};
use crate::dates::{format_date, parse_date, password_valid_until};
use crate::errors::{AuthError, CredentialError, Fault};
use crate::kinds::AuditKind;
use crate::passwords;
use crate::services::Services;
use crate::store::{
    AccountRow, AuditEvent, EmailChangeRow, Guard, NewAccountRow, Store, from_ts, ts,
};
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub email: String,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub address: String,
    pub security_question: String,
    pub security_answer: String,
    pub dossiers: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("adresse électronique refusée : {0}")]
    Email(espace_pro_contract::EmailError),
    #[error("cette adresse électronique est déjà celle d'un autre espace")]
    EmailTaken,
    #[error("mot de passe refusé : {}", PasswordRule::explain_all_fr(.0, .1))]
    Password(Vec<PasswordRule>, PasswordPolicy),
    #[error("le nom et le prénom sont obligatoires (100 caractères au plus)")]
    Name,
    #[error("SIREN invalide : {0} (9 chiffres attendus)")]
    Siren(String),
    #[error("les numéros d'abonné du jour sont épuisés")]
    SequenceExhausted,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Hash(#[from] crate::crypto::HashError),
}

fn plain_text(s: &str, max: usize) -> bool {
    s.chars().count() <= max && !s.chars().any(char::is_control)
}

/// Provisions an account and returns its subscriber number (assigned today, next in the day's
/// sequence).
pub async fn create_account(
    svc: &Services,
    new: &NewAccount,
    password: &str,
) -> Result<SubscriberNumber, CreateError> {
    let email = LoginEmail::parse(&new.email).map_err(CreateError::Email)?;
    for name in [&new.first_name, &new.last_name] {
        if name.trim().is_empty() || !plain_text(name, 100) {
            return Err(CreateError::Name);
        }
    }
    for (siren, _) in &new.dossiers {
        if siren.len() != 9 || !siren.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CreateError::Siren(siren.clone()));
        }
    }
    let now = svc.now();
    let today = svc.config.time_zone.date(now);
    // A new account: nothing of it is read or cached yet, but its address must stay its own.
    let mut tx = svc
        .store
        .begin_write(&[Guard::Address(email.key())])
        .await?;
    let sequence = Store::next_subscriber_sequence(&mut tx, &format_date(today)).await?;
    let number = SubscriberNumber::new(today, u32::try_from(sequence).unwrap_or(u32::MAX))
        .map_err(|_| CreateError::SequenceExhausted)?;
    let ctx = PasswordContext::for_account(
        &new.first_name,
        &new.last_name,
        email.as_str(),
        &number.to_string(),
    );
    let policy = svc.config.policy;
    let checked = policy
        .check(password, password, &ctx)
        .map_err(|failures| CreateError::Password(failures, policy))?;
    let hash = svc.hasher.hash(checked.expose()).await?;
    let sealed = (!new.security_answer.is_empty()).then(|| {
        svc.key
            .seal(&number.to_string(), new.security_answer.trim())
    });
    let valid_until = format_date(password_valid_until(
        today,
        svc.config.password_validity_years,
    ));
    let subscriber = number.to_string();
    let id = Store::insert_account(
        &mut tx,
        &NewAccountRow {
            subscriber_number: &subscriber,
            login_email: email.as_str(),
            login_email_key: email.key(),
            civility: new.civility.trim(),
            first_name: new.first_name.trim(),
            last_name: new.last_name.trim(),
            phone: new.phone.trim(),
            address: new.address.trim(),
            security_question: new.security_question.trim(),
            security_answer_sealed: sealed.as_deref(),
            password_hash: &hash,
            password_valid_until: &valid_until,
            now: ts(now),
        },
    )
    .await?
    .ok_or(CreateError::EmailTaken)?;
    for (siren, name) in &new.dossiers {
        Store::insert_dossier(&mut tx, id, siren, name.trim()).await?;
    }
    Store::audit(
        &mut tx,
        &AuditEvent::new(id, AuditKind::AccountCreated, now),
    )
    .await?;
    svc.store.commit(tx).await?;
    Ok(number)
}

/// The account's subscriber number, as stored (a row that does not hold one is corrupt).
pub fn subscriber_number(account: &AccountRow) -> Result<SubscriberNumber, Fault> {
    account
        .subscriber_number
        .parse()
        .map_err(|e| Fault::Corrupt(format!("stored subscriber number: {e}")))
}

/// The home screen's data (SPEC §2.2), from what was read with the session: no further
/// statement.
pub fn account_view(svc: &Services, session: &Session) -> Result<AccountView, AuthError> {
    let read = &session.read;
    let account = &read.account;
    let dossiers = read
        .dossiers
        .iter()
        .map(|(siren, name)| Dossier {
            siren: siren.clone(),
            name: name.clone(),
        })
        .collect();
    let now = svc.now();
    let expires_on = parse_date(&account.password_valid_until)
        .ok_or_else(|| Fault::Corrupt("stored validity date".into()))?;
    Ok(AccountView {
        subscriber_number: subscriber_number(account)?,
        civility: account.civility.clone(),
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        login_email: account.login_email.clone(),
        password_expires_on: expires_on,
        password_expires_in_days: Some((expires_on - svc.today()).whole_days()),
        dossiers,
        pending_email_change: pending_change(read.pending_change.as_ref(), ts(now)),
        reauthentication_needed: now - session.auth_time
            > time::Duration::try_from(svc.config.reauthentication_after)
                .unwrap_or(time::Duration::minutes(5)),
    })
}

/// The pending e-mail change as the home screen shows it; an expired one is no longer pending.
fn pending_change(change: Option<&EmailChangeRow>, now: i64) -> Option<PendingEmailChange> {
    change
        .filter(|c| c.expires_at > now)
        .map(|c| PendingEmailChange {
            new_email: c.new_email.clone(),
            expires_at: from_ts(c.expires_at),
            with_new_password: c.new_password_hash.is_some(),
        })
}

/// Password only (SPEC §2.5): done at once, valid 3 years minus one day, other sessions revoked,
/// confirmation e-mail queued in the same transaction.
pub async fn change_password(
    svc: &Services,
    session: &Session,
    req: &PasswordChangeRequest,
    client: IpAddr,
) -> Result<PasswordChangeResponse, CredentialError> {
    let (account, _fresh) = reauthenticated_account(
        svc,
        session,
        req.current_password.as_ref(),
        req.totp_code.as_ref(),
        client,
    )
    .await?;
    let hash =
        passwords::check_and_hash(svc, &account, &req.new_password, &req.confirm_password).await?;
    let now = svc.now();
    let mut tx = begin_write_as(svc, session).await?;
    let keep = Some(session.token_hash.as_slice());
    let (valid_until, revoked) =
        passwords::install(&mut tx, svc, &account, &hash, keep, now).await?;
    Store::mark_session_authenticated(&mut tx, &session.token_hash, ts(now)).await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, AuditKind::PasswordChanged, now)
            .from(client)
            .detail(format!(
                "valid_until={}; other_sessions_revoked={revoked}",
                format_date(valid_until)
            )),
    )
    .await?;
    svc.commit_mail(tx).await?;
    svc.metrics.password_changed();
    Ok(PasswordChangeResponse {
        valid_until,
        confirmation_sent_to: account.login_email.clone(),
    })
}
