//! "Gérer vos coordonnées" (SPEC §2.9), the summary data (§2.8) and recent activity.

use std::net::IpAddr;
use std::sync::Arc;

use espace_pro_contract::Secret;
use espace_pro_contract::api::{
    ADDRESS_MAX_CHARS, PHONE_MAX_CHARS, SECURITY_ANSWER_MAX_CHARS, SECURITY_QUESTION_MAX_CHARS,
};
use espace_pro_contract::api::{
    AccountSummary, Activity, ActivityEvent, Profile, ProfileUpdate, SummaryData,
};

use crate::accounts::subscriber_number;
use crate::auth::{Fresh, Session, begin_write_as, reauthenticate, require_account};
use crate::errors::{AuthError, Fault, FieldProblem, ProfileError};
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{AccountRow, AuditEvent, Store, from_ts};

/// The security answer in clear, to compare with a recovery's answer. What puts it into a
/// response is [`summary_data`] or [`profile_of`], which need a [`Fresh`] proof.
pub(crate) fn security_answer(svc: &Services, account: &AccountRow) -> Result<String, Fault> {
    match &account.security_answer_sealed {
        None => Ok(String::new()),
        Some(sealed) => svc
            .key
            .open(&account.subscriber_number, sealed)
            .map_err(|e| Fault::Corrupt(format!("security answer of account {}: {e}", account.id))),
    }
}

/// The session's account, which the proof must be about.
async fn account_of(svc: &Services, fresh: &Fresh<'_>) -> Result<Arc<AccountRow>, AuthError> {
    require_account(&svc.store, fresh.session()).await
}

pub(crate) fn summary_data(
    fresh: &Fresh<'_>,
    svc: &Services,
    account: &AccountRow,
) -> Result<SummaryData, Fault> {
    debug_assert_eq!(fresh.session().account_id, account.id);
    Ok(SummaryData {
        civility: account.civility.clone(),
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        subscriber_number: subscriber_number(account)?,
        login_email: account.login_email.clone(),
        phone: account.phone.clone(),
        address: account.address.clone(),
        security_question: account.security_question.clone(),
        security_answer: security_answer(svc, account)?,
    })
}

fn profile_of(fresh: &Fresh<'_>, svc: &Services, account: &AccountRow) -> Result<Profile, Fault> {
    debug_assert_eq!(fresh.session().account_id, account.id);
    Ok(Profile {
        security_answer: Secret::new(security_answer(svc, account)?),
        phone: account.phone.clone(),
        address: account.address.clone(),
        security_question: account.security_question.clone(),
    })
}

/// The summary holds the security answer: only for a session whose password was entered within
/// the re-authentication delay (SPEC §2.8).
pub async fn summary(svc: &Services, fresh: Fresh<'_>) -> Result<AccountSummary, AuthError> {
    let account = account_of(svc, &fresh).await?;
    Ok(AccountSummary {
        summary: summary_data(&fresh, svc, &account).map_err(AuthError::Fault)?,
        generated_at: svc.now(),
    })
}

/// The coordinates, security answer included: only for a fresh session, as the summary.
pub async fn get(svc: &Services, fresh: Fresh<'_>) -> Result<Profile, AuthError> {
    let account = account_of(svc, &fresh).await?;
    profile_of(&fresh, svc, &account).map_err(AuthError::Fault)
}

fn check_text(error: &mut Vec<FieldProblem>, field: &'static str, value: &str, max: usize) {
    if value.chars().count() > max {
        error.push((field, "too_long"));
    }
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        error.push((field, "invalid_character"));
    }
}

pub async fn update(
    svc: &Services,
    session: &Session,
    req: &ProfileUpdate,
    client: IpAddr,
) -> Result<Profile, ProfileError> {
    let account = require_account(&svc.store, session).await?;
    // Every edit first: what is checked below compares with the current answer, which a stale
    // session must not learn anything about.
    let fresh = reauthenticate(
        svc,
        session,
        &account,
        req.current_password.as_ref(),
        req.totp_code.as_ref(),
        client,
    )
    .await?;
    let current_answer = security_answer(svc, &account)?;
    let phone = req
        .phone
        .as_deref()
        .map_or(account.phone.as_str(), str::trim);
    let address = req
        .address
        .as_deref()
        .map_or(account.address.as_str(), str::trim);
    let question = req
        .security_question
        .as_deref()
        .map_or(account.security_question.as_str(), str::trim);
    let answer = req
        .security_answer
        .as_ref()
        .map_or(current_answer.as_str(), |a| a.expose().trim());

    let mut problems = Vec::new();
    check_text(&mut problems, "phone", phone, PHONE_MAX_CHARS);
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +.-()".contains(c))
    {
        problems.push(("phone", "invalid_phone"));
    }
    check_text(&mut problems, "address", address, ADDRESS_MAX_CHARS);
    check_text(
        &mut problems,
        "security_question",
        question,
        SECURITY_QUESTION_MAX_CHARS,
    );
    check_text(
        &mut problems,
        "security_answer",
        answer,
        SECURITY_ANSWER_MAX_CHARS,
    );
    let question_changed = question != account.security_question;
    let answer_changed = answer != current_answer;
    if question_changed && !question.is_empty() && (answer.is_empty() || !answer_changed) {
        problems.push(("security_answer", "required"));
    }
    if !question.is_empty() && answer.is_empty() {
        problems.push(("security_answer", "required"));
    }
    if !problems.is_empty() {
        problems.dedup();
        return Err(ProfileError::Invalid(problems));
    }
    let sealed = (!answer.is_empty()).then(|| svc.key.seal(&account.subscriber_number, answer));
    let mut tx = begin_write_as(svc, session).await?;
    Store::update_profile(
        &mut tx,
        account.id,
        phone,
        address,
        question,
        sealed.as_deref(),
    )
    .await?;
    let kind = if question_changed || answer_changed {
        AuditKind::SecurityQuestionChanged
    } else {
        AuditKind::ProfileUpdated
    };
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, kind, svc.now()).from(client),
    )
    .await?;
    svc.store.commit(tx).await?;
    let account = account_of(svc, &fresh).await?;
    Ok(profile_of(&fresh, svc, &account)?)
}

pub async fn activity(svc: &Services, session: &Session) -> Result<Activity, AuthError> {
    let events = svc
        .store
        .recent_events(session.account_id, 50)
        .await?
        .into_iter()
        .map(|(kind, at, client_ip, detail)| ActivityEvent {
            label: kind.label_fr().to_owned(),
            label_en: kind.label_en().to_owned(),
            kind: kind.name(),
            at: from_ts(at),
            client_ip,
            // Only the device names of log-ins are details a person is shown.
            device_name: (kind.names_a_device() && !detail.is_empty()).then_some(detail),
        })
        .collect();
    Ok(Activity { events })
}
