//! "Double authentification" (SPEC §4): the second factor turned on from here (its secret as a
//! QR code drawn by the app and as text, confirmed by a first code), its recovery codes saved or
//! printed, turned off with the password and a code.

use base64::Engine as _;
use espace_pro_contract::Secret;
use espace_pro_contract::api::SecondFactorState;
use serde::Serialize;

use crate::{AppCode, CommandError, CommandResult, Desk};

/// A second factor being enrolled, for the screen (no `Debug`: it holds the secret).
#[derive(Serialize)]
pub struct Enrolment {
    /// The secret, grouped by 4 for typing (`ABCD EFGH …`).
    pub secret: String,
    pub otpauth_uri: String,
    /// The QR code of `otpauth_uri`, as an SVG `data:` URL (an `<img>` the CSP allows).
    pub qr_code: String,
    /// Until when the first code is taken.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: time::OffsetDateTime,
}

/// The QR code of `text`, drawn here (nothing leaves the computer), as an SVG `data:` URL.
pub fn qr_data_url(text: &str) -> CommandResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| CommandError::app(AppCode::Unexpected, e))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// How a code typed at log-in is sent: 6 digits are the authenticator's, anything else a
/// recovery code.
pub fn second_factor_code(typed: &str) -> espace_pro_client::api::SecondFactorCode {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        espace_pro_client::api::SecondFactorCode::Totp(Secret::new(digits))
    } else {
        espace_pro_client::api::SecondFactorCode::Recovery(Secret::new(typed.trim()))
    }
}

/// The recovery codes as a text file, to save or print.
pub fn recovery_codes_text(email: &str, codes: &[Secret]) -> String {
    let mut text = format!(
        "Espace Pro — codes de secours de la double authentification\n\
         Compte : {email}\n\n\
         Chaque code ne sert qu'une fois, à la place du code de votre application \
         d'authentification.\nGardez-les en lieu sûr, à part de votre mot de passe.\n\n"
    );
    for (i, code) in codes.iter().enumerate() {
        text.push_str(&format!("{:>2}. {}\n", i + 1, code.expose()));
    }
    text
}

impl Desk {
    pub async fn second_factor_state(&self) -> CommandResult<SecondFactorState> {
        self.with_session(async |api, token| api.second_factor(token).await)
            .await
    }

    /// Enrolment, step 1: the current password, always.
    pub async fn start_second_factor(&self, password: Secret) -> CommandResult<Enrolment> {
        let started = self
            .with_session(async |api, token| api.start_second_factor(token, &password).await)
            .await?;
        let secret = started.secret.expose();
        let grouped = secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Enrolment {
            qr_code: qr_data_url(started.otpauth_uri.expose())?,
            otpauth_uri: started.otpauth_uri.expose().to_owned(),
            secret: grouped,
            expires_at: started.expires_at,
        })
    }

    /// Enrolment, step 2: the first code; the recovery codes (kept here too, for "Enregistrer"
    /// and "Imprimer", until the session ends).
    pub async fn confirm_second_factor(&self, code: &str) -> CommandResult<Vec<String>> {
        let code = Secret::new(code.trim());
        let codes = self
            .with_session(async |api, token| api.confirm_second_factor(token, &code).await)
            .await?
            .recovery_codes;
        let serial = self.session()?.1.serial;
        *self
            .recovery_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some((serial, codes.clone()));
        Ok(codes.iter().map(|c| c.expose().to_owned()).collect())
    }

    /// The recovery codes forgotten here ("J'ai gardé mes codes", the end of the session).
    pub fn forget_recovery_codes(&self) {
        *self
            .recovery_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The recovery codes just given, as a text file; only in the session that got them.
    pub async fn recovery_codes_file(&self) -> CommandResult<Vec<u8>> {
        let Ok((_, session)) = self.session() else {
            self.forget_recovery_codes();
            return Err(CommandError::no_session());
        };
        let kept = self
            .recovery_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if kept
            .as_ref()
            .is_some_and(|(serial, _)| *serial != session.serial)
        {
            self.forget_recovery_codes();
        }
        match kept {
            Some((serial, codes)) if serial == session.serial => {
                let email = self
                    .with_session(async |api, token| api.account(token).await)
                    .await?
                    .login_email;
                Ok(recovery_codes_text(&email, &codes).into_bytes())
            }
            _ => Err(CommandError::app(
                AppCode::NoRecoveryCodes,
                "no recovery codes in this session",
            )),
        }
    }

    /// Turns the second factor off: the password and a code (or a recovery code).
    pub async fn disable_second_factor(&self, password: Secret, code: &str) -> CommandResult<()> {
        let code = Secret::new(code.trim());
        self.with_session(async |api, token| {
            api.disable_second_factor(token, &password, &code).await
        })
        .await?;
        *self
            .recovery_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}
