//! The procedures behind the screens: the home screen and the meter, the password and e-mail
//! changes, the activation, the profile, the summary, the recovery, the demo mailbox.

use std::path::PathBuf;
use std::sync::Arc;

use espace_pro_client::mailbox::{DemoMail, KEPT_FOR, purge_mailbox, read_mailbox};
use espace_pro_client::strength::{Strength, estimate};
use espace_pro_contract::api::{
    AccountView, ActivationResult, Activity, Captcha, CompleteActivationRequest,
    EmailChangeRequest, EmailChangeResponse, PasswordChangeRequest, PasswordChangeResponse,
    Profile, ProfileUpdate, RecoveryAccepted, RecoveryCompleteRequest, SummaryData,
    VerifyCodeRequest,
};
use espace_pro_contract::{ErrorCode, LoginEmail, PasswordContext, Secret};
use serde::Serialize;

use crate::connection::Connection;
use crate::desk::{Desk, Recovery, blocking};
use crate::error::{AppCode, CommandError, CommandResult};
use crate::reminders::{self, Reminder};

#[derive(Debug, Serialize)]
pub struct CaptchaView {
    pub id: String,
    /// `data:` URLs, allowed by the CSP for images and media only.
    pub image: String,
    pub audio: String,
    pub length: usize,
}

/// The file name "Enregistrer" proposes.
pub const SUMMARY_FILE_NAME: &str = "recapitulatif-espace-professionnel.pdf";

/// Writes the summary at `path`, private (0600) even over an existing file (written beside it,
/// then renamed over it): it holds the security answer.
pub async fn write_summary(path: PathBuf, bytes: Vec<u8>) -> CommandResult<()> {
    blocking(move || espace_pro_server::files::write_private(&path, &bytes))
        .await
        .map_err(|e| CommandError::app(AppCode::Io, e))
}

impl Desk {
    /// The home screen's account, and the expiry reminder due for it (shown once per
    /// threshold).
    pub async fn home(&self) -> CommandResult<(AccountView, Option<Reminder>)> {
        let (connection, session) = self.session()?;
        let account = self
            .with_session(async |api, token| api.account(token).await)
            .await?;
        // After a change of address, the list shows the new one.
        let (key, number, email) = (
            connection.key.clone(),
            account.subscriber_number.to_string(),
            account.login_email.clone(),
        );
        self.accounts_do(move |a| a.rename(&key, &number, &email))
            .await;
        {
            let mut state = self.state();
            if state.session.as_ref().map(|s| s.serial) == Some(session.serial) {
                state.account = Some(account.clone());
            }
        }
        let reminder = self.reminder_for(&connection, &account).await;
        Ok((account, reminder))
    }

    /// Once a day while the app runs: the session's account asked again, its reminder if due.
    pub async fn daily_reminder(&self) -> Option<Reminder> {
        let (connection, _) = self.session().ok()?;
        let account = self
            .with_session(async |api, token| api.account(token).await)
            .await
            .ok()?;
        self.reminder_for(&connection, &account).await
    }

    async fn reminder_for(
        &self,
        connection: &Connection,
        account: &AccountView,
    ) -> Option<Reminder> {
        let thresholds = self
            .service()
            .map(|s| s.expiry_reminder_days)
            .unwrap_or_else(|| espace_pro_contract::api::EXPIRY_REMINDER_DAYS.to_vec());
        let service = match connection.demo {
            Some(_) => "demo".to_owned(),
            None => connection.api.base_url().to_string(),
        };
        let (data_dir, account, english) =
            (self.data_dir.clone(), account.clone(), self.is_english());
        blocking(move || reminders::due(&data_dir, &service, &account, &thresholds, english)).await
    }

    /// The live meter: run on every keystroke, bounded in time by the client library.
    pub fn password_strength(&self, password: &str, email: Option<&str>) -> Strength {
        let mut context = {
            let state = self.state();
            match &state.account {
                Some(a) => PasswordContext::for_account(
                    &a.first_name,
                    &a.last_name,
                    &a.login_email,
                    &a.subscriber_number.to_string(),
                ),
                None => state
                    .recovery
                    .as_ref()
                    .map(|r| r.context.clone())
                    .unwrap_or_default(),
            }
        };
        if let Some(Ok(e)) = email.map(LoginEmail::parse) {
            context = context.with_email(&e);
        }
        estimate(password, &context, &self.policy())
    }

    pub async fn change_password(
        &self,
        req: &PasswordChangeRequest,
    ) -> CommandResult<PasswordChangeResponse> {
        self.with_session(async |api, token| api.change_password(token, req).await)
            .await
    }

    pub async fn request_email_change(
        &self,
        req: &EmailChangeRequest,
    ) -> CommandResult<EmailChangeResponse> {
        self.with_session(async |api, token| api.request_email_change(token, req).await)
            .await
    }

    pub async fn cancel_email_change(&self) -> CommandResult<()> {
        self.with_session(async |api, token| api.cancel_email_change(token).await)
            .await
    }

    pub async fn profile(&self) -> CommandResult<Profile> {
        self.with_session(async |api, token| api.profile(token).await)
            .await
    }

    pub async fn update_profile(&self, req: &ProfileUpdate) -> CommandResult<Profile> {
        self.with_session(async |api, token| api.update_profile(token, req).await)
            .await
    }

    pub async fn activity(&self) -> CommandResult<Activity> {
        self.with_session(async |api, token| api.activity(token).await)
            .await
    }

    pub async fn new_captcha(&self) -> CommandResult<CaptchaView> {
        let Captcha {
            id,
            image_png,
            audio_wav,
            length,
            ..
        } = self.connection().api.captcha().await?;
        Ok(CaptchaView {
            id,
            image: format!("data:image/png;base64,{image_png}"),
            audio: format!("data:audio/wav;base64,{audio_wav}"),
            length,
        })
    }

    /// Keeps `ticket` for the next step if `connection` is still the service in use.
    fn keep_ticket(
        &self,
        connection: &Arc<Connection>,
        ticket: Secret,
        recovery: Option<Recovery>,
    ) -> CommandResult<()> {
        let mut state = self.state();
        if !Arc::ptr_eq(&state.connection, connection) {
            return Err(CommandError::app(
                AppCode::ServiceChanged,
                "service changed between steps",
            ));
        }
        state.ticket = Some(ticket);
        state.recovery = recovery;
        Ok(())
    }

    /// Activation, step 1: code and CAPTCHA. The ticket it earns stays here.
    pub async fn verify_activation_code(&self, req: &VerifyCodeRequest) -> CommandResult<()> {
        let connection = self.connection();
        let ticket = connection.api.verify_code(req).await?;
        self.keep_ticket(&connection, ticket.ticket, None)
    }

    /// Activation, step 2: the new address. The service ends every session of the account
    /// activated: that account's session is forgotten here (the others stay), and the list
    /// shows its new address.
    pub async fn complete_activation(&self, email: String) -> CommandResult<ActivationResult> {
        let (connection, ticket) = {
            let state = self.state();
            (state.connection.clone(), state.ticket.clone())
        };
        let ticket =
            ticket.ok_or_else(|| CommandError::app(AppCode::NoTicket, "no activation ticket"))?;
        let result = connection
            .api
            .complete_activation(&CompleteActivationRequest { ticket, email })
            .await?;
        let account = result.subscriber_number.to_string();
        {
            let mut state = self.state();
            if Arc::ptr_eq(&state.connection, &connection) {
                state.ticket = None;
                // The summary holds the security answer: the service gives it only for the
                // password ("Sauvegardez ou imprimez le récapitulatif" asks for it, SPEC §2.8).
                state.last_summary = None;
                state.activated_email = Some(result.login_email.clone());
            }
        }
        self.ended_by_service(&connection, &account, None).await;
        let (key, email) = (connection.key.clone(), result.login_email.clone());
        self.accounts_do(move |a| a.rename(&key, &account, &email))
            .await;
        Ok(result)
    }

    /// The service ended every session of `account`: its session is no longer in use, and its
    /// keyring entry goes (no revocation to send).
    /// `refused`: the token the service was seen refusing; only that one goes (a session
    /// started since stays).
    async fn ended_by_service(
        &self,
        connection: &Arc<Connection>,
        account: &str,
        refused: Option<&Secret>,
    ) {
        let serial = {
            let state = self.state();
            state
                .session
                .as_ref()
                .filter(|s| s.account == account && Arc::ptr_eq(&state.connection, connection))
                .filter(|s| refused.is_none_or(|r| r.expose() == s.token.expose()))
                .map(|s| s.serial)
        };
        if serial.is_some() && self.take_session(serial).is_some() {
            self.none_current(connection).await;
        }
        let entry = connection.session_entry(account);
        match refused {
            Some(token) => self.keyring_delete_if(entry, token.clone()).await,
            None => {
                if let Err(e) = self.keyring_delete(entry).await {
                    tracing::warn!(error = %e, "could not delete the session from the keyring");
                }
            }
        }
    }

    /// `account`'s session, if the service no longer accepts it (after a recovery, which names
    /// an address: the list's address of an account may be out of date, so the service says).
    async fn forget_if_refused(&self, connection: &Arc<Connection>, account: &str) {
        let Some(token) = self.keyring_load(connection.session_entry(account)).await else {
            return;
        };
        if let Err(e) = connection.api.account(&token).await
            && e.is_unauthorized()
        {
            self.ended_by_service(connection, account, Some(&token))
                .await;
        }
    }

    /// The summary to save or print, as a PDF: the account's current one when logged in, else
    /// the one shown after an activation (once its password has been given).
    pub async fn summary_pdf(&self) -> CommandResult<Vec<u8>> {
        let (logged_in, last, activated) = {
            let state = self.state();
            (
                state.session.is_some(),
                state.last_summary.clone(),
                state.activated_email.is_some(),
            )
        };
        let data: SummaryData = match (logged_in, last) {
            (true, _) => {
                self.with_session(async |api, token| api.summary(token).await)
                    .await?
                    .summary
            }
            (false, Some(summary)) => summary,
            // Right after an activation: the screen asks for the password, then
            // `reauthenticate` fetches the summary with it.
            (false, None) if activated => {
                return Err(CommandError::service(
                    ErrorCode::ReauthenticationRequired,
                    "the summary needs the password",
                ));
            }
            (false, None) => return Err(CommandError::app(AppCode::NoSummary, "not logged in")),
        };
        let now = self.time_zone().local(time::OffsetDateTime::now_utc());
        Ok(espace_pro_client::pdf::summary_pdf(&data, now)?)
    }

    /// The current password again (to see or print the security answer after the
    /// re-authentication delay); right after an activation, logged out, the password typed for
    /// the summary opens a session just long enough to fetch it, which is then closed.
    pub async fn reauthenticate(&self, password: Secret) -> CommandResult<()> {
        self.reauthenticate_with(password, None).await
    }

    /// [`Desk::reauthenticate`] with the second factor's code, for an account that asks it
    /// (`second_factor_required`).
    pub async fn reauthenticate_with(
        &self,
        password: Secret,
        code: Option<&str>,
    ) -> CommandResult<()> {
        let code = code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(Secret::new);
        let (connection, logged_in, activated) = {
            let state = self.state();
            (
                state.connection.clone(),
                state.session.is_some(),
                state.activated_email.clone(),
            )
        };
        match (logged_in, activated) {
            (false, Some(email)) => {
                self.unlock_activation_summary(&connection, &email, &password, code.as_ref())
                    .await
            }
            _ => {
                self.with_session(async |api, token| {
                    api.reauthenticate(token, &password, code.as_ref()).await
                })
                .await
            }
        }
    }

    async fn unlock_activation_summary(
        &self,
        connection: &Arc<Connection>,
        email: &str,
        password: &Secret,
        code: Option<&Secret>,
    ) -> CommandResult<()> {
        let api = &connection.api;
        let code = code.map(|c| crate::second_factor::second_factor_code(c.expose()));
        let session = api
            .login_with(email, password, None, None, code.as_ref())
            .await?;
        let summary = api.summary(&session.token).await;
        let account = session
            .subscriber_number
            .map(|n| n.to_string())
            .unwrap_or_default();
        // Closed, or kept to be closed at the next connection.
        self.end_at(connection, &account, session.token).await;
        let summary = summary?.summary;
        let mut state = self.state();
        if Arc::ptr_eq(&state.connection, connection) {
            state.last_summary = Some(summary);
        }
        Ok(())
    }

    pub async fn recovery_request(&self, email: &str) -> CommandResult<RecoveryAccepted> {
        Ok(self.connection().api.recovery_request(email).await?)
    }

    /// Address and code give the security question; the ticket stays here.
    pub async fn recovery_question(&self, email: &str, code: Secret) -> CommandResult<String> {
        let connection = self.connection();
        let response = connection.api.recovery_question(email, &code).await?;
        let recovery = Recovery {
            email: email.trim().to_lowercase(),
            context: PasswordContext::from_words(response.password_context),
        };
        self.keep_ticket(&connection, response.ticket, Some(recovery))?;
        Ok(response.security_question.unwrap_or_default())
    }

    /// The new password, for the security answer. The service ends every session of the
    /// account: that account's session is forgotten here (the others stay).
    pub async fn recovery_complete(
        &self,
        security_answer: Secret,
        new_password: Secret,
        confirm_password: Secret,
    ) -> CommandResult<PasswordChangeResponse> {
        let (connection, ticket, recovery) = {
            let state = self.state();
            (
                state.connection.clone(),
                state.ticket.clone(),
                state.recovery.clone(),
            )
        };
        let ticket =
            ticket.ok_or_else(|| CommandError::app(AppCode::NoTicket, "no recovery ticket"))?;
        let done = connection
            .api
            .recovery_complete(&RecoveryCompleteRequest {
                ticket,
                security_answer,
                new_password,
                confirm_password,
            })
            .await?;
        {
            let mut state = self.state();
            if Arc::ptr_eq(&state.connection, &connection) {
                state.ticket = None;
                state.recovery = None;
            }
        }
        if let Some(recovery) = recovery {
            let key = connection.key.clone();
            let (list, _) = self.accounts_do(move |a| a.list(&key)).await;
            let owners = list
                .into_iter()
                .filter(|k| k.login_email.trim().eq_ignore_ascii_case(&recovery.email));
            for known in owners {
                self.forget_if_refused(&connection, &known.subscriber_number)
                    .await;
            }
        }
        Ok(done)
    }

    /// "Courriels (démo)": what the embedded service sent, newest first.
    pub async fn demo_mailbox(&self) -> CommandResult<Vec<DemoMail>> {
        let demo = self
            .connection()
            .demo
            .clone()
            .ok_or_else(|| CommandError::app(AppCode::NotDemo, "not in demo mode"))?;
        blocking(move || {
            // Codes older than their 48 hours are of no use, and are not kept.
            if let Err(e) = purge_mailbox(&demo.mailbox, KEPT_FOR) {
                tracing::warn!(error = %e, "old demo messages could not be removed");
            }
            read_mailbox(&demo.mailbox)
        })
        .await
        .map_err(|e| CommandError::app(AppCode::Io, e))
    }
}
