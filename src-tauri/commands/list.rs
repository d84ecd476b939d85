// Every command the window may call, written once. `build.rs` makes an `allow-…` permission of
// each, `lib.rs` registers each, and a test checks that the capability file grants exactly
// these. Included by both with `include!`, each with its own `commands!` macro.
commands! {
    session::app_info,
    session::connect_service,
    session::set_language,
    session::login,
    session::resume_session,
    session::logout,
    session::reauthenticate,
    account::home,
    account::password_strength,
    account::change_password,
    account::request_email_change,
    account::cancel_email_change,
    activation::new_captcha,
    activation::verify_activation_code,
    activation::complete_activation,
    profile::profile,
    profile::update_profile,
    profile::activity,
    profile::save_summary,
    profile::print_summary,
    recovery::recovery_request,
    recovery::recovery_question,
    recovery::recovery_complete,
    demo::demo_mailbox,
}
