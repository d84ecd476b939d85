//! Typed client of the account service's API v1 (SPEC §3.1).

use std::net::IpAddr;
use std::time::Duration;

use espace_pro_contract::api::*;
use espace_pro_contract::{ErrorBody, ErrorCode, Secret};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde_json::json;
use url::Url;

use crate::ClientError;

/// The second factor's proof at log-in: the authenticator's code, or a recovery code.
#[derive(Clone, Debug)]
pub enum SecondFactorCode {
    Totp(Secret),
    Recovery(Secret),
}

#[derive(Clone, Debug)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    /// Whether the service should answer in English (`Accept-Language`); French otherwise.
    english: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// `https://` anywhere; `http://` only to this machine (the embedded service, tests).
pub fn check_service_url(raw: &str) -> Result<Url, ClientError> {
    let url =
        Url::parse(raw.trim()).map_err(|e| ClientError::InsecureUrl(format!("not a URL ({e})")))?;
    // A user name or password in the address would be kept in the keyring's entry names, the
    // list of accounts and the screens: refused.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ClientError::InsecureUrl(
            "a user name or password in the address".into(),
        ));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(ClientError::InsecureUrl(url.to_string())),
    }
}

/// An address on this computer (`localhost`, 127.0.0.0/8, ::1).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// TLS as the computer does it: its own verification of the certificate (the platform verifier:
/// the OS on Windows and macOS, the system's authorities or `SSL_CERT_FILE` on Linux), with
/// TLS 1.2 and 1.3 only. The same as the updater's, which uses the same verifier.
///
/// Only an https service needs it: a plain-http client (this computer's own service) gets a
/// configuration trusting nothing. A computer whose authorities cannot be read at all (on Linux,
/// `SSL_CERT_FILE` naming nothing, an empty bundle) gets the same for https: the client is still
/// made, every handshake then fails as a certificate this computer does not trust, and the
/// person is told so (not a window that cannot open).
fn tls_config(https: bool) -> Result<rustls::ClientConfig, ClientError> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Network(format!("TLS could not be set up: {e}")))?;
    if https {
        match builder.clone().with_platform_verifier() {
            Ok(verified) => return Ok(verified.with_no_client_auth()),
            Err(e) => tracing::warn!(
                error = %e,
                "this computer's certificate authorities could not be read: no https service can be trusted"
            ),
        }
    }
    Ok(builder
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth())
}

/// What a failed exchange says to the person: a certificate this computer does not trust (the
/// service's, or a TLS-inspecting proxy's), or a service that could not be reached.
fn transport_error(e: reqwest::Error) -> ClientError {
    let detail = e.without_url();
    match crate::error::untrusted_certificate(&detail) {
        Some(why) => ClientError::UntrustedCertificate(why),
        None => ClientError::Network(detail.to_string()),
    }
}

impl ApiClient {
    /// A client of the service at `base`, path included (`https://portal.example/espace-pro/`
    /// is asked `…/espace-pro/v1/…`).
    pub fn new(base: &str) -> Result<Self, ClientError> {
        let mut base = check_service_url(base)?;
        // A folder, so that the API's paths are joined under it rather than beside it.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        base.set_query(None);
        base.set_fragment(None);
        let mut http = reqwest::Client::builder();
        if base.scheme() == "http" {
            // Plain http is this computer's own service (the embedded one): never sent through
            // a proxy (HTTP_PROXY, the system's), which would see passwords in clear. An https
            // service goes through the proxy the computer names, NO_PROXY and all.
            http = http.no_proxy();
        }
        let http = http
            .use_preconfigured_tls(tls_config(base.scheme() == "https")?)
            .connect_timeout(Duration::from_secs(5))
            // A request the service does not answer ends in an error the screen can show.
            .timeout(Duration::from_secs(15))
            .https_only(base.scheme() == "https")
            // A redirection would carry the request's body (password, code, answer) to another
            // address: it is reported instead (`ClientError::Redirected`).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("espace-pro/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(Self {
            http,
            base,
            english: Default::default(),
        })
    }

    pub fn is_english(&self) -> bool {
        self.english.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The language the service's messages should be in: "en" for English, anything else for
    /// French. Shared by every clone of this client.
    pub fn set_language(&self, lang: &str) {
        self.english
            .store(lang == "en", std::sync::atomic::Ordering::Relaxed);
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&Secret>,
    ) -> Result<RequestBuilder, ClientError> {
        // Relative to the service's folder: `v1/…`, not `/v1/…` (which would drop its path).
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| ClientError::InsecureUrl(e.to_string()))?;
        let english = self.is_english();
        let mut req = self.http.request(method, url).header(
            reqwest::header::ACCEPT_LANGUAGE,
            if english {
                "en, fr;q=0.5"
            } else {
                "fr, en;q=0.5"
            },
        );
        if let Some(t) = token {
            req = req.bearer_auth(t.expose());
        }
        Ok(req)
    }

    async fn send<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, ClientError> {
        let response = req.send().await.map_err(transport_error)?;
        let status = response.status();
        if status.is_redirection() {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .chars()
                .take(200)
                .collect();
            return Err(ClientError::Redirected(to));
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let bytes = response.bytes().await.map_err(transport_error)?;
        if status.is_success() {
            let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(body).map_err(|e| ClientError::Decode(e.to_string()));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(ClientError::Api {
                status: status.as_u16(),
                code: body.error.code,
                message: body.error.message,
                fields: body.error.fields,
                retry_after,
            }),
            Err(_) => Err(ClientError::Api {
                status: status.as_u16(),
                code: if status.is_server_error() {
                    ErrorCode::Unavailable
                } else {
                    ErrorCode::Other
                },
                message: "Le service a refusé la demande. Réessayez dans quelques instants.".into(),
                fields: Default::default(),
                retry_after,
            }),
        }
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&Secret>,
    ) -> Result<T, ClientError> {
        self.send(self.request(Method::GET, path, token)?).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&Secret>,
        body: &impl serde::Serialize,
    ) -> Result<T, ClientError> {
        self.send(self.request(Method::POST, path, token)?.json(body))
            .await
    }

    pub async fn service_info(&self) -> Result<ServiceInfo, ClientError> {
        self.get("/v1/service-info", None).await
    }

    /// [`ApiClient::service_info`], given up after `within` (a service that accepts the
    /// connection and never answers must not hold the window).
    pub async fn service_info_within(&self, within: Duration) -> Result<ServiceInfo, ClientError> {
        self.send(
            self.request(Method::GET, "/v1/service-info", None)?
                .timeout(within),
        )
        .await
    }

    /// Logs in; `captcha` (id and answer) when the service asked for one (`captcha_required`).
    pub async fn login(
        &self,
        email: &str,
        password: &Secret,
        captcha: Option<(String, String)>,
    ) -> Result<LoginResponse, ClientError> {
        self.login_from(email, password, captcha, None).await
    }

    /// [`ApiClient::login`] from a device the app names: its id (kept per account) and name.
    pub async fn login_from(
        &self,
        email: &str,
        password: &Secret,
        captcha: Option<(String, String)>,
        device: Option<(&str, &str)>,
    ) -> Result<LoginResponse, ClientError> {
        self.login_with(email, password, captcha, device, None)
            .await
    }

    /// [`ApiClient::login_from`] with the second factor's code, for an account that asked for it
    /// (`second_factor_required`).
    pub async fn login_with(
        &self,
        email: &str,
        password: &Secret,
        captcha: Option<(String, String)>,
        device: Option<(&str, &str)>,
        second_factor: Option<&SecondFactorCode>,
    ) -> Result<LoginResponse, ClientError> {
        let (totp_code, recovery_code) = match second_factor {
            Some(SecondFactorCode::Totp(code)) => (Some(code.clone()), None),
            Some(SecondFactorCode::Recovery(code)) => (None, Some(code.clone())),
            None => (None, None),
        };
        let (captcha_id, captcha_answer) = captcha.unzip();
        let (device_id, device_name) = device
            .map(|(id, name)| (id.to_owned(), name.to_owned()))
            .unzip();
        self.post(
            "/v1/sessions",
            None,
            &LoginRequest {
                email: email.to_owned(),
                password: password.clone(),
                captcha_id,
                captcha_answer,
                device_id,
                device_name,
                totp_code,
                recovery_code,
            },
        )
        .await
    }

    pub async fn logout(&self, token: &Secret) -> Result<(), ClientError> {
        self.send::<serde_json::Value>(self.request(
            Method::DELETE,
            "/v1/sessions/current",
            Some(token),
        )?)
        .await
        .map(|_| ())
    }

    /// The current password again: the session may then see the security answer for a while.
    pub async fn reauthenticate(
        &self,
        token: &Secret,
        password: &Secret,
        totp_code: Option<&Secret>,
    ) -> Result<(), ClientError> {
        self.send::<serde_json::Value>(
            self.request(
                Method::POST,
                "/v1/sessions/current/reauthenticate",
                Some(token),
            )?
            .json(&espace_pro_contract::api::ReauthenticateRequest {
                current_password: Some(password.clone()),
                totp_code: totp_code.cloned(),
            }),
        )
        .await
        .map(|_| ())
    }

    pub async fn account(&self, token: &Secret) -> Result<AccountView, ClientError> {
        self.get("/v1/account", Some(token)).await
    }

    pub async fn change_password(
        &self,
        token: &Secret,
        req: &PasswordChangeRequest,
    ) -> Result<PasswordChangeResponse, ClientError> {
        self.send(
            self.request(Method::PUT, "/v1/account/password", Some(token))?
                .json(req),
        )
        .await
    }

    pub async fn request_email_change(
        &self,
        token: &Secret,
        req: &EmailChangeRequest,
    ) -> Result<EmailChangeResponse, ClientError> {
        self.post("/v1/account/email-change", Some(token), req)
            .await
    }

    pub async fn cancel_email_change(&self, token: &Secret) -> Result<(), ClientError> {
        self.send::<serde_json::Value>(self.request(
            Method::DELETE,
            "/v1/account/email-change",
            Some(token),
        )?)
        .await
        .map(|_| ())
    }

    pub async fn captcha(&self) -> Result<Captcha, ClientError> {
        self.post("/v1/captchas", None, &json!({})).await
    }

    pub async fn verify_code(
        &self,
        req: &VerifyCodeRequest,
    ) -> Result<TicketResponse, ClientError> {
        self.post("/v1/activations/verify-code", None, req).await
    }

    pub async fn complete_activation(
        &self,
        req: &CompleteActivationRequest,
    ) -> Result<ActivationResult, ClientError> {
        self.post("/v1/activations/complete", None, req).await
    }

    pub async fn profile(&self, token: &Secret) -> Result<Profile, ClientError> {
        self.get("/v1/account/profile", Some(token)).await
    }

    pub async fn update_profile(
        &self,
        token: &Secret,
        req: &ProfileUpdate,
    ) -> Result<Profile, ClientError> {
        self.send(
            self.request(Method::PUT, "/v1/account/profile", Some(token))?
                .json(req),
        )
        .await
    }

    pub async fn summary(&self, token: &Secret) -> Result<AccountSummary, ClientError> {
        self.get("/v1/account/summary", Some(token)).await
    }

    pub async fn activity(&self, token: &Secret) -> Result<Activity, ClientError> {
        self.get("/v1/account/activity", Some(token)).await
    }

    /// Everything the service keeps about the account ("Télécharger mes données").
    pub async fn export(&self, token: &Secret) -> Result<AccountExport, ClientError> {
        self.get("/v1/account/export", Some(token)).await
    }

    /// Whether the second factor is on, and its recovery codes left.
    pub async fn second_factor(&self, token: &Secret) -> Result<SecondFactorState, ClientError> {
        self.get("/v1/account/totp", Some(token)).await
    }

    /// Starts enrolling a second factor (the current password, always): the secret and its
    /// `otpauth://` URI.
    pub async fn start_second_factor(
        &self,
        token: &Secret,
        current_password: &Secret,
    ) -> Result<TotpEnrolment, ClientError> {
        self.post(
            "/v1/account/totp",
            Some(token),
            &TotpStartRequest {
                current_password: current_password.clone(),
            },
        )
        .await
    }

    /// The authenticator's first code: the second factor on, and its recovery codes.
    pub async fn confirm_second_factor(
        &self,
        token: &Secret,
        code: &Secret,
    ) -> Result<RecoveryCodes, ClientError> {
        self.post(
            "/v1/account/totp/confirm",
            Some(token),
            &TotpConfirmRequest { code: code.clone() },
        )
        .await
    }

    /// Turns the second factor off: the password and a code (or a recovery code).
    pub async fn disable_second_factor(
        &self,
        token: &Secret,
        current_password: &Secret,
        code: &Secret,
    ) -> Result<(), ClientError> {
        self.send::<serde_json::Value>(
            self.request(Method::DELETE, "/v1/account/totp", Some(token))?
                .json(&TotpDisableRequest {
                    current_password: current_password.clone(),
                    code: code.clone(),
                }),
        )
        .await
        .map(|_| ())
    }

    /// The account's open sessions ("Appareils connectés").
    pub async fn sessions(&self, token: &Secret) -> Result<OpenSessions, ClientError> {
        self.get("/v1/account/sessions", Some(token)).await
    }

    /// Ends the account's session `id` (32 hexadecimal digits, as the list gives them; anything
    /// else is refused here, never put in a path).
    pub async fn end_session(&self, token: &Secret, id: &str) -> Result<(), ClientError> {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ClientError::Api {
                status: 404,
                code: ErrorCode::NotFound,
                message: if self.is_english() {
                    "This session is not open on your account: refresh the list of connected devices."
                } else {
                    "Cette session n'est pas ouverte sur votre espace : actualisez la liste des appareils connectés."
                }
                .to_owned(),
                fields: Default::default(),
                retry_after: None,
            });
        }
        let path = format!("/v1/account/sessions/{id}");
        self.send::<serde_json::Value>(self.request(Method::DELETE, &path, Some(token))?)
            .await
            .map(|_| ())
    }

    /// Ends every session of the account but this one; how many.
    pub async fn end_other_sessions(&self, token: &Secret) -> Result<SessionsEnded, ClientError> {
        self.send(self.request(Method::DELETE, "/v1/account/sessions", Some(token))?)
            .await
    }

    pub async fn recovery_request(&self, email: &str) -> Result<RecoveryAccepted, ClientError> {
        self.post(
            "/v1/password-recovery",
            None,
            &RecoveryRequest {
                email: email.to_owned(),
            },
        )
        .await
    }

    pub async fn recovery_question(
        &self,
        email: &str,
        code: &Secret,
    ) -> Result<TicketResponse, ClientError> {
        self.post(
            "/v1/password-recovery/question",
            None,
            &RecoveryQuestionRequest {
                email: email.to_owned(),
                code: code.clone(),
            },
        )
        .await
    }

    pub async fn recovery_complete(
        &self,
        req: &RecoveryCompleteRequest,
    ) -> Result<PasswordChangeResponse, ClientError> {
        self.post("/v1/password-recovery/complete", None, req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in [
            "https://espace-pro.example",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:80",
            "http://127.8.9.10",
        ] {
            assert!(check_service_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://espace-pro.example",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "file:///etc/passwd",
            "nonsense",
            "http://localhost.evil.example",
        ] {
            assert!(
                matches!(check_service_url(bad), Err(ClientError::InsecureUrl(_))),
                "{bad}"
            );
        }
    }
}
