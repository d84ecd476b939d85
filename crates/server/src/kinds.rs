//! The service's vocabulary of states and events: what a one-time code's state can be, what a
//! ticket is for, which security events are recorded. Stored as text through one conversion
//! (sqlx's enum derive, snake_case), so a misspelt state does not compile and an unknown one read
//! back is a `StoreError::Corrupt`, never a silent fallback.

use serde::Serialize;

/// A one-time code's life: the e-mail change's activation code and the recovery code alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum CodeState {
    Pending,
    /// Replaced by a newer request of the same account.
    Superseded,
    /// Cancelled by the account holder.
    Cancelled,
    /// Too many wrong attempts at the step after the code.
    Locked,
    /// The e-mail change took effect.
    Activated,
    /// The recovery set a new password.
    Used,
}

/// What a one-time code (and the ticket it earns) is for. Also the domain of its keyed hash, so a
/// code of one kind never matches a row of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Purpose {
    Activation,
    Recovery,
}

impl Purpose {
    /// The keyed-hash domain of codes of this purpose (stored hashes depend on it).
    pub fn hash_domain(self) -> &'static str {
        match self {
            Purpose::Activation => "activation",
            Purpose::Recovery => "recovery",
        }
    }
}

/// The keyed-hash domain of CAPTCHA answers.
pub const CAPTCHA_HASH_DOMAIN: &str = "captcha";

macro_rules! audit_kinds {
    ($($kind:ident => $fr:literal, $en:literal;)*) => {
        /// Every security event the audit table records (SPEC §3), with the labels the activity
        /// screen shows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::Type)]
        #[sqlx(type_name = "text", rename_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        pub enum AuditKind {
            $($kind,)*
        }

        impl AuditKind {
            pub const ALL: &[AuditKind] = &[$(AuditKind::$kind,)*];

            /// The machine name, as stored and as the API sends it (`login_failed`).
            pub fn name(self) -> String {
                serde_json::to_value(self)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }

            pub fn label_fr(self) -> &'static str {
                match self {
                    $(AuditKind::$kind => $fr,)*
                }
            }

            pub fn label_en(self) -> &'static str {
                match self {
                    $(AuditKind::$kind => $en,)*
                }
            }
        }
    };
}

audit_kinds! {
    AccountCreated => "Création de l'espace", "Account created";
    Login => "Connexion", "Log-in";
    LoginPasswordExpired => "Connexion avec un mot de passe expiré", "Log-in with an expired password";
    LoginFailed => "Échec de connexion (mot de passe incorrect)", "Failed log-in (wrong password)";
    Logout => "Déconnexion", "Log-out";
    ReauthenticationFailed => "Mot de passe actuel incorrect lors d'une modification", "Wrong current password during a change";
    PasswordChanged => "Modification du mot de passe", "Password changed";
    EmailChangeRequested => "Demande de modification de l'adresse électronique", "Login e-mail change requested";
    EmailChangeCancelled => "Annulation de la demande de modification de l'adresse", "Login e-mail change cancelled";
    EmailChangeActivated => "Activation de la nouvelle adresse électronique", "New login e-mail activated";
    EmailChangeLocked => "Demande de modification annulée (trop d'adresses erronées)", "Change request cancelled (too many wrong addresses)";
    ActivationWrongAddress => "Adresse erronée saisie lors de l'activation", "Wrong address entered at activation";
    ActivationCodeRefused => "Code d'activation expiré ou déjà utilisé", "Activation code expired or already used";
    ProfileUpdated => "Modification des coordonnées", "Contact details changed";
    SecurityQuestionChanged => "Modification de la question de confiance", "Security question changed";
    RecoveryRequested => "Demande de mot de passe oublié", "Forgotten password requested";
    RecoveryWrongAnswer => "Réponse de confiance erronée", "Wrong security answer";
    RecoveryCompleted => "Nouveau mot de passe choisi (mot de passe oublié)", "New password chosen (forgotten password)";
    NewDevice => "Connexion depuis un appareil jamais utilisé (courriel d'alerte)", "Log-in from a device never used before (alert e-mail)";
    SessionEnded => "Déconnexion d'un appareil (Appareils connectés)", "A device logged out (Connected devices)";
    OtherSessionsEnded => "Déconnexion de tous les autres appareils", "Every other device logged out";
    SecondFactorEnabled => "Double authentification activée", "Two-step verification turned on";
    SecondFactorDisabled => "Double authentification désactivée", "Two-step verification turned off";
    SecondFactorFailed => "Code de double authentification incorrect", "Wrong two-step verification code";
    SecondFactorSetupFailed => "Code incorrect à l'activation de la double authentification", "Wrong code while turning on two-step verification";
    RecoveryCodeUsed => "Code de secours utilisé", "Backup code used";
}

impl AuditKind {
    /// The events whose detail is the name of the device they came from.
    pub fn names_a_device(self) -> bool {
        matches!(
            self,
            AuditKind::Login | AuditKind::LoginPasswordExpired | AuditKind::NewDevice
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_kind_has_two_distinct_labels() {
        let mut seen = std::collections::HashSet::new();
        for kind in AuditKind::ALL {
            assert!(!kind.label_fr().is_empty() && !kind.label_en().is_empty());
            assert_ne!(kind.label_fr(), kind.label_en(), "{kind:?}");
            assert!(seen.insert(kind.label_fr()), "{kind:?} shares its label");
        }
        assert_eq!(
            AuditKind::LoginPasswordExpired.name(),
            "login_password_expired"
        );
    }
}
