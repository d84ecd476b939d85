//! A new password for an account: the policy in force, judged with the account's own data as
//! context (SPEC §2.4), not the current password, then hashed. zxcvbn and Argon2 run off the
//! async threads.

use espace_pro_contract::{LoginEmail, NewPassword, PasswordContext, PasswordRule, Secret};

use crate::errors::{Fault, NewPasswordError};
use crate::services::Services;
use crate::store::AccountRow;

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
