//! "Double authentification" from the app: enrolment (the QR code drawn here, the first code
//! computed by `oathtool`), the log-in that asks for the code, a recovery code, turning it off.

use base64::Engine as _;
use espace_pro_contract::Secret;

use crate::kit::*;

/// `oathtool --totp` for `secret` (base32, spaces allowed), `offset` seconds from now.
fn oathtool(secret: &str, offset: i64) -> String {
    let at = time::OffsetDateTime::now_utc().unix_timestamp() + offset;
    let secret: String = secret.split_whitespace().collect();
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "-b", &secret, &format!("--now=@{at}")])
        .output()
        .expect("oathtool (cargo xtask test installs it)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn enrol_log_in_with_a_code_then_a_recovery_code_and_turn_it_off() {
    let (_a, _keyring, _dir, desk) = lila_signed_in().await;
    assert!(!desk.second_factor_state().await.unwrap().enabled);
    let enrolment = desk
        .start_second_factor(Secret::new(PASSWORD))
        .await
        .unwrap();
    // The QR code is drawn here: an SVG of the otpauth URI, nothing fetched.
    let svg = enrolment
        .qr_code
        .strip_prefix("data:image/svg+xml;base64,")
        .expect("an SVG data URL");
    let svg = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(svg)
            .unwrap(),
    )
    .unwrap();
    assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    for outside in ["href", "<image", "<script", "url("] {
        assert!(
            !svg.contains(outside),
            "the QR code points nowhere: {outside}"
        );
    }
    assert_eq!(
        enrolment.secret.len(),
        39,
        "32 characters grouped by 4: {}",
        enrolment.secret
    );
    assert!(
        enrolment
            .otpauth_uri
            .contains(&enrolment.secret.replace(' ', ""))
    );

    let codes = desk
        .confirm_second_factor(&oathtool(&enrolment.secret, 0))
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    let file = String::from_utf8(desk.recovery_codes_file().await.unwrap()).unwrap();
    assert!(file.contains("lila@example.fr"));
    for code in &codes {
        assert!(file.contains(code.as_str()), "{code} not in the file");
    }
    let state = desk.second_factor_state().await.unwrap();
    assert!(state.enabled);
    assert_eq!(state.recovery_codes_left, 10);

    // Logged out, the password alone is not enough; the next step's code is.
    desk.logout().await;
    assert!(
        desk.recovery_codes_file().await.is_err(),
        "the codes stay with their session"
    );
    let refused = desk
        .login("lila@example.fr", Secret::new(PASSWORD), None)
        .await
        .unwrap_err();
    assert_eq!(refused.code, "second_factor_required");
    let next = oathtool(&enrolment.secret, 30);
    desk.login_with("lila@example.fr", Secret::new(PASSWORD), None, Some(&next))
        .await
        .unwrap();
    desk.logout().await;
    // A recovery code, typed loosely, once.
    let loose = codes[0].to_lowercase();
    desk.login_with("lila@example.fr", Secret::new(PASSWORD), None, Some(&loose))
        .await
        .unwrap();
    desk.logout().await;
    let again = desk
        .login_with(
            "lila@example.fr",
            Secret::new(PASSWORD),
            None,
            Some(&codes[0]),
        )
        .await
        .unwrap_err();
    assert_eq!(again.code, "invalid_code");
    desk.login_with(
        "lila@example.fr",
        Secret::new(PASSWORD),
        None,
        Some(&codes[1]),
    )
    .await
    .unwrap();
    assert_eq!(
        desk.second_factor_state()
            .await
            .unwrap()
            .recovery_codes_left,
        8
    );

    // Off: the password and a code.
    let wrong = desk
        .disable_second_factor(Secret::new(PASSWORD), "000000")
        .await
        .unwrap_err();
    assert_eq!(wrong.code, "invalid_code");
    desk.disable_second_factor(Secret::new(PASSWORD), &codes[2])
        .await
        .unwrap();
    assert!(!desk.second_factor_state().await.unwrap().enabled);
    desk.logout().await;
    login(&desk, "lila@example.fr").await;
}
