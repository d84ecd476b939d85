//! Demo accounts, one per home-screen variant (no company, one, several).

use crate::accounts::{CreateError, NewAccount, create_account};
use crate::services::Services;

/// The password of every demo account (demo mode only; shown on the log-in screen there).
pub const DEMO_PASSWORD: &str = "Demo7Citron4Galop9Sable2";

pub fn demo_accounts() -> Vec<NewAccount> {
    let base = |email: &str, civility: &str, first: &str, last: &str| NewAccount {
        email: email.into(),
        civility: civility.into(),
        first_name: first.into(),
        last_name: last.into(),
        phone: "0123456789".into(),
        address: "12 rue de Longchamp, 75016 Paris, FRANCE".into(),
        security_question: "Le prénom de votre conjoint(e) ?".into(),
        security_answer: "Paul".into(),
        dossiers: vec![],
    };
    vec![
        base("lila.rosemonde@example.fr", "Mme", "Lila", "ROSEMONDE"),
        NewAccount {
            dossiers: vec![("000299001".into(), "SARL MARTIN DISTRIBUTION".into())],
            ..base("martin.distribution@example.fr", "M.", "Hervé", "MARTIN")
        },
        NewAccount {
            dossiers: vec![
                ("000299001".into(), "SARL MARTIN DISTRIBUTION".into()),
                ("000412517".into(), "SAS ÉLÉGANCE & FILS".into()),
                ("000733864".into(), "EURL CÔTE D'AZUR CONSEIL".into()),
            ],
            ..base("cabinet.lefevre@example.fr", "Mme", "Élodie", "LEFÈVRE")
        },
    ]
}

/// Creates the demo accounts that do not exist yet; returns every demo address.
pub async fn seed(svc: &Services) -> Result<Vec<String>, CreateError> {
    let mut addresses = Vec::new();
    for account in demo_accounts() {
        match create_account(svc, &account, DEMO_PASSWORD).await {
            Ok(_) | Err(CreateError::EmailTaken) => addresses.push(account.email.clone()),
            Err(e) => return Err(e),
        }
    }
    Ok(addresses)
}

/// The demo account protected by a second factor, and its secret (demo mode only: printed on
/// the log-in screen there, for an authenticator app or `oathtool --totp -b`).
pub const DEMO_SECOND_FACTOR_ACCOUNT: &str = "double.facteur@example.fr";
pub const DEMO_SECOND_FACTOR_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Creates the demo account with a second factor if it does not exist yet; its address.
pub async fn seed_second_factor(svc: &Services) -> Result<String, String> {
    let account = NewAccount {
        email: DEMO_SECOND_FACTOR_ACCOUNT.into(),
        civility: "M.".into(),
        first_name: "Karim".into(),
        last_name: "BENALI".into(),
        phone: "0123456789".into(),
        address: "12 rue de Longchamp, 75016 Paris, FRANCE".into(),
        security_question: "Le prénom de votre conjoint(e) ?".into(),
        security_answer: "Paul".into(),
        dossiers: vec![("000412517".into(), "SAS ÉLÉGANCE & FILS".into())],
    };
    match create_account(svc, &account, DEMO_PASSWORD).await {
        Ok(_) => {
            let key = espace_pro_contract::LoginEmail::parse(DEMO_SECOND_FACTOR_ACCOUNT)
                .map_err(|e| e.to_string())?;
            let row = svc
                .store
                .account_by_email_key(key.key())
                .await
                .map_err(|e| e.to_string())?
                .ok_or("the demo account just created is not there")?;
            crate::second_factor::enable_with_secret(svc, &row, DEMO_SECOND_FACTOR_SECRET)
                .await
                .map_err(|e| e.to_string())?;
        }
        Err(CreateError::EmailTaken) => {}
        Err(e) => return Err(e.to_string()),
    }
    Ok(DEMO_SECOND_FACTOR_ACCOUNT.to_owned())
}
