//! "Gérer vos coordonnées" (SPEC §2.9), the summary data (§2.8) and recent activity.

use std::net::IpAddr;

use espace_pro_contract::Secret;
use espace_pro_contract::api::{
    ADDRESS_MAX_CHARS, PHONE_MAX_CHARS, SECURITY_ANSWER_MAX_CHARS, SECURITY_QUESTION_MAX_CHARS,
};
use espace_pro_contract::api::{
    AccountSummary, Activity, ActivityEvent, Profile, ProfileUpdate, SummaryData,
};

use crate::auth::{Session, reauthenticate, require_account, require_fresh};
use crate::errors::{AuthError, Fault, FieldProblem, ProfileError};
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{AccountRow, AuditEvent, Store, from_ts};

pub fn security_answer(svc: &Services, account: &AccountRow) -> Result<String, Fault> {
    match &account.security_answer_sealed {
        None => Ok(String::new()),
        Some(sealed) => svc
            .key
            .open(&account.subscriber_number, sealed)
            .map_err(|e| Fault::Corrupt(format!("security answer of account {}: {e}", account.id))),
    }
}

pub fn summary_data(svc: &Services, account: &AccountRow) -> Result<SummaryData, Fault> {
    Ok(SummaryData {
        civility: account.civility.clone(),
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        subscriber_number: account
            .subscriber_number
            .parse()
            .map_err(|e| Fault::Corrupt(format!("stored subscriber number: {e}")))?,
        login_email: account.login_email.clone(),
        phone: account.phone.clone(),
        address: account.address.clone(),
        security_question: account.security_question.clone(),
        security_answer: security_answer(svc, account)?,
    })
}

/// The summary holds the security answer: only for a session whose password was entered within
/// the re-authentication delay (right after activation, the activation's own answer carries it).
pub async fn summary(svc: &Services, session: &Session) -> Result<AccountSummary, AuthError> {
    require_fresh(svc, session)?;
    let account = require_account(&svc.store, session).await?;
    Ok(AccountSummary {
        summary: summary_data(svc, &account).map_err(AuthError::Fault)?,
        generated_at: svc.now(),
    })
}

/// The coordinates, security answer included: only for a fresh session, as the summary.
pub async fn get(svc: &Services, session: &Session) -> Result<Profile, AuthError> {
    require_fresh(svc, session)?;
    let account = require_account(&svc.store, session).await?;
    Ok(Profile {
        security_answer: Secret::new(security_answer(svc, &account).map_err(AuthError::Fault)?),
        phone: account.phone.clone(),
        address: account.address.clone(),
        security_question: account.security_question.clone(),
    })
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
    if question_changed || answer_changed {
        reauthenticate(
            svc,
            session,
            &account,
            req.current_password.as_ref(),
            client,
        )
        .await?;
    }
    let sealed = (!answer.is_empty()).then(|| svc.key.seal(&account.subscriber_number, answer));
    let mut tx = svc.store.begin_write().await?;
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
    Ok(Profile {
        phone: phone.to_owned(),
        address: address.to_owned(),
        security_question: question.to_owned(),
        security_answer: Secret::new(answer),
    })
}

pub async fn activity(svc: &Services, session: &Session) -> Result<Activity, AuthError> {
    let events = svc
        .store
        .recent_events(session.account_id, 50)
        .await?
        .into_iter()
        .map(|(kind, at, client_ip)| ActivityEvent {
            label: kind.label_fr().to_owned(),
            label_en: kind.label_en().to_owned(),
            kind: kind.name(),
            at: from_ts(at),
            client_ip,
        })
        .collect();
    Ok(Activity { events })
}
