//! Logging in and out, with several accounts: the session taken up at start-up, the accounts
//! list of the log-in screen, "Continuer avec ce compte", "Changer de compte", "Oublier ce
//! compte", "Quitter" and "Tout quitter".

use std::sync::Arc;

use espace_pro_contract::{ErrorCode, Secret};
use serde::Serialize;

use crate::accounts::Known;
use crate::connection::Connection;
use crate::desk::Desk;
use crate::error::{AppCode, CommandError, CommandResult};

#[derive(Debug, Serialize)]
pub struct LoggedIn {
    pub must_change_password: bool,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct KnownAccount {
    pub subscriber_number: String,
    pub login_email: String,
    /// Its session is the one in use.
    pub current: bool,
    /// A session is kept for it in the keyring (taken up without the password, if the service
    /// still accepts it).
    pub signed_in: bool,
}

#[derive(Debug, Serialize)]
pub struct Switched {
    /// Its session was taken up: straight to the home screen.
    pub resumed: bool,
    /// Otherwise, the address to put in the log-in form.
    pub login_email: String,
}

impl Desk {
    pub async fn login(
        &self,
        email: &str,
        password: Secret,
        captcha: Option<(String, String)>,
    ) -> CommandResult<LoggedIn> {
        self.login_with(email, password, captcha, None).await
    }

    /// [`Desk::login`] with the second factor's code (6 digits) or a recovery code, for an
    /// account that asked for it (`second_factor_required`).
    pub async fn login_with(
        &self,
        email: &str,
        password: Secret,
        captcha: Option<(String, String)>,
        second_factor: Option<&str>,
    ) -> CommandResult<LoggedIn> {
        let second_factor = second_factor
            .filter(|c| !c.trim().is_empty())
            .map(crate::second_factor::second_factor_code);
        let (connection, epoch) = (self.connection(), self.epoch());
        let api = &connection.api;
        let device = self.device_for(&connection, email).await;
        let response = api
            .login_with(
                email,
                &password,
                captcha,
                Some((device.id.as_str(), device.name.as_str())),
                second_factor.as_ref(),
            )
            .await?;
        // Whose session: the service says so; an older one is asked (which fails while the
        // password has expired: the address typed names the account then).
        let subscriber_number = match response.subscriber_number {
            Some(number) => number.to_string(),
            None => match api.account(&response.token).await {
                Ok(account) => account.subscriber_number.to_string(),
                Err(_) => email.trim().to_lowercase(),
            },
        };
        self.keep_device(&connection, &subscriber_number, &device)
            .await;
        let known = Known {
            subscriber_number,
            login_email: email.trim().to_owned(),
        };
        self.start_session(&connection, known, response.token, None, epoch)
            .await?;
        self.send_revocations(&connection).await;
        Ok(LoggedIn {
            must_change_password: response.must_change_password,
        })
    }

    /// Takes up `account`'s session on `connection` from the keyring if the service still
    /// accepts it; false when there is none to take up (the log-in form then asks for the
    /// password), or when another service was chosen meanwhile. `None`: the one entry of a
    /// version before several accounts, carried over to its account's own entry. An entry the
    /// service refuses is deleted; one it could not be asked about is kept for the next try.
    async fn take_up(
        &self,
        connection: &Arc<Connection>,
        account: Option<&str>,
    ) -> CommandResult<bool> {
        let entry = match account {
            Some(number) => connection.session_entry(number),
            None => connection.legacy_entry(),
        };
        let epoch = self.epoch();
        let Some(token) = self.keyring_load(entry.clone()).await else {
            return Ok(false);
        };
        let view = match connection.api.account(&token).await {
            Ok(view) => view,
            Err(e) if e.is_unauthorized() => {
                self.keyring_delete_if(entry, token).await;
                return Ok(false);
            }
            // Still valid at the service, but of no use until the password is changed: ended
            // there, the log-in form asks for the password.
            Err(e) if e.api_code() == Some(ErrorCode::PasswordExpired) => {
                self.keyring_delete_if(entry, token.clone()).await;
                self.end_at(connection, account.unwrap_or_default(), token)
                    .await;
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        };
        let known = Known {
            subscriber_number: account
                .map_or_else(|| view.subscriber_number.to_string(), str::to_owned),
            login_email: view.login_email.clone(),
        };
        match self
            .start_session(connection, known, token, Some(view), epoch)
            .await
        {
            Ok(()) => {}
            Err(e) if e.is(AppCode::ServiceChanged) || e.is(AppCode::NoSession) => {
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
        if account.is_none()
            && let Err(e) = self.keyring_delete(entry).await
        {
            tracing::warn!(error = %e, "could not delete the former session entry");
        }
        Ok(true)
    }

    /// At start-up: the session of the account last in use, if the service still accepts it.
    pub async fn resume_session(&self) -> CommandResult<bool> {
        let connection = self.connection();
        let key = connection.key.clone();
        let current = self.accounts_do(move |a| a.list(&key).1).await;
        self.take_up(&connection, current.as_deref()).await
    }

    /// The log-in screen's list: the accounts used with this service on this computer, most
    /// recent first (address and subscriber number; never a password).
    pub async fn known_accounts(&self) -> Vec<KnownAccount> {
        let (connection, current) = {
            let state = self.state();
            let current = state.session.as_ref().map(|s| s.account.clone());
            (state.connection.clone(), current)
        };
        let key = connection.key.clone();
        let (list, _) = self.accounts_do(move |a| a.list(&key)).await;
        let keyring = self.keyring.clone();
        crate::desk::blocking(move || {
            list.into_iter()
                .map(|k| KnownAccount {
                    current: current.as_deref() == Some(k.subscriber_number.as_str()),
                    signed_in: matches!(
                        keyring.load(&connection.session_entry(&k.subscriber_number)),
                        Ok(Some(_))
                    ),
                    subscriber_number: k.subscriber_number,
                    login_email: k.login_email,
                })
                .collect()
        })
        .await
    }

    /// "Continuer avec ce compte": the session in use is set aside (kept in the keyring) and the
    /// chosen account's is taken up; without one, the log-in form gets its address.
    pub async fn switch_account(&self, subscriber_number: &str) -> CommandResult<Switched> {
        let connection = self.connection();
        let (key, number) = (connection.key.clone(), subscriber_number.to_owned());
        let Some(known) = self.accounts_do(move |a| a.find(&key, &number)).await else {
            return Err(CommandError::app(
                AppCode::UnknownAccount,
                "not in this computer's list",
            ));
        };
        self.leave().await;
        let resumed = self.take_up(&connection, Some(subscriber_number)).await?;
        Ok(Switched {
            resumed,
            login_email: known.login_email,
        })
    }

    /// "Changer de compte": back to the list, the session in use kept for later.
    pub async fn leave(&self) {
        let connection = match self.take_session(None) {
            Some((connection, _)) => connection,
            None => self.connection(),
        };
        self.none_current(&connection).await;
    }

    /// "Oublier ce compte": its session ended at the service and deleted from the keyring, and
    /// the account off the list.
    pub async fn forget_account(&self, subscriber_number: &str) -> CommandResult<()> {
        let connection = self.connection();
        let in_use = self
            .state()
            .session
            .as_ref()
            .filter(|s| s.account == subscriber_number)
            .map(|s| s.serial);
        if let Some((connection, session)) = in_use.and_then(|n| self.take_session(Some(n))) {
            self.none_current(&connection).await;
            // Ended even if the keyring never held it (and once, if it did).
            let entry = connection.session_entry(&session.account);
            self.keyring_delete_if(entry, session.token.clone()).await;
            self.end_at(&connection, &session.account, session.token)
                .await;
        }
        let entry = connection.session_entry(subscriber_number);
        if let Some(token) = self.keyring_load(entry.clone()).await {
            self.keyring_delete(entry).await?;
            self.end_at(&connection, subscriber_number, token).await;
        }
        // Its device id too: forgotten here, the account is a new device here next time.
        let device = crate::keyring::device_entry(&connection.key, subscriber_number);
        if let Err(e) = self.keyring_delete(device).await {
            tracing::warn!(error = %e, "the account's device id could not be deleted");
        }
        let (key, number) = (connection.key.clone(), subscriber_number.to_owned());
        self.accounts_do(move |a| a.forget(&key, &number))
            .await
            .map_err(|e| CommandError::app(AppCode::AccountsFile, e))
    }

    /// "Quitter": the session in use ends at the service that gave it and leaves the keyring
    /// (kept for revocation if that service cannot be reached); the other accounts' sessions
    /// stay. The demo mailbox is emptied.
    pub async fn logout(&self) {
        self.quit_in_flight();
        if let Some((connection, session)) = self.take_session(None) {
            self.none_current(&connection).await;
            let entry = connection.session_entry(&session.account);
            self.keyring_delete_if(entry, session.token.clone()).await;
            self.end_at(&connection, &session.account, session.token)
                .await;
        }
        self.empty_demo_mailbox();
    }

    /// "Tout quitter": every session kept on this computer, on every service, ended there and
    /// forgotten here (the accounts stay in their lists). A service that cannot be reached (or
    /// the demo, when it is not running) is told at its next connection.
    pub async fn logout_all(&self) -> CommandResult<()> {
        self.quit_in_flight();
        let current = match self.take_session(None) {
            Some((connection, session)) => {
                // Ended even if the keyring never held it.
                let entry = connection.session_entry(&session.account);
                self.keyring_delete_if(entry, session.token.clone()).await;
                self.end_at(&connection, &session.account, session.token)
                    .await;
                connection
            }
            None => self.connection(),
        };
        let mut services = self.accounts_do(|a| a.services()).await;
        if !services.contains(&current.key) {
            services.push(current.key.clone());
        }
        let mut failed = None;
        for key in services {
            let connection = match key == current.key {
                true => Some(current.clone()),
                false if key == "demo" => None,
                false => Connection::remote(&key).ok().map(Arc::new),
            };
            let list_key = key.clone();
            let (list, _) = self.accounts_do(move |a| a.list(&list_key)).await;
            let entries = list
                .iter()
                .map(|k| {
                    (
                        crate::keyring::session_entry(&key, &k.subscriber_number),
                        k.subscriber_number.clone(),
                    )
                })
                .chain([(crate::keyring::legacy_entry(&key), String::new())]);
            for (entry, account) in entries {
                let Some(token) = self.keyring_load(entry.clone()).await else {
                    continue;
                };
                if let Err(e) = self.keyring_delete(entry).await {
                    failed = Some(e);
                    continue;
                }
                match &connection {
                    Some(connection) => self.end_at(connection, &account, token).await,
                    None => self.keep_for_revocation(&key, &account, token).await,
                }
            }
            let none_key = key.clone();
            if let Err(e) = self.accounts_do(move |a| a.none_current(&none_key)).await {
                tracing::warn!(error = %e, "the list of accounts could not be saved");
            }
            // And what it was owed from before, while it answers.
            if let Some(connection) = &connection {
                self.send_revocations(connection).await;
            }
        }
        self.empty_demo_mailbox();
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// The demo mailbox's codes are no one's business after the session.
    fn empty_demo_mailbox(&self) {
        if let Some(demo) = &self.connection().demo
            && let Err(e) =
                espace_pro_client::mailbox::purge_mailbox(&demo.mailbox, std::time::Duration::ZERO)
        {
            tracing::warn!(error = %e, "the demo mailbox could not be emptied");
        }
    }
}
