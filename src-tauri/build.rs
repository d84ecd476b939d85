/// Every command the window may call; each gets an `allow-…` permission, and the capability file
/// lists the ones the main window has.
const COMMANDS: &[&str] = &[
    "app_info",
    "login",
    "resume_session",
    "logout",
    "home",
    "password_strength",
    "change_password",
    "request_email_change",
    "cancel_email_change",
    "new_captcha",
    "verify_activation_code",
    "complete_activation",
    "profile",
    "update_profile",
    "activity",
    "save_summary",
    "print_summary",
    "recovery_request",
    "recovery_question",
    "recovery_complete",
    "demo_mailbox",
];

fn main() {
    // Capabilities live beside the Rust sources, not at the package root.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    println!("cargo:rerun-if-changed=ui");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
