//! Espace Pro desktop app: the Tauri shell, with its commands (one call each into the desktop
//! core), events, plugins and window. Screens live in `ui/`; the rules live in `espace-pro-desk`
//! (sessions, accounts, the service choice, settings, reminders, links), which knows nothing of
//! Tauri and is tested without a display.

mod commands;
pub mod links;
pub mod reminders;
pub mod updates;

use espace_pro_desk::keyring::SystemKeyring;
use espace_pro_desk::{Desk, settings};
use tauri::Manager;

// The command list, written once in `commands/list.rs`: the names (for the capability test)
// and the handler that registers them.
macro_rules! commands {
    ($($module:ident::$name:ident),* $(,)?) => {
        /// Every command the window may call, by name.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// The handler that registers every command.
        pub fn invoke_handler<R: tauri::Runtime>()
        -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(crate::commands::$module::$name),*]
        }
    };
}
include!("commands/list.rs");

/// Tests only (feature `test-switches`): save the summary in this folder, without the dialog.
/// A second start of the app hands its arguments (a link) to the running one, and exits.
fn single_instance<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    let builder = tauri_plugin_single_instance::Builder::new().callback(|app, argv, _cwd| {
        links::forwarded(app, &argv);
    });
    // Tests only: each scenario's app is its own single instance (they share one D-Bus session,
    // where the instance is found by name).
    #[cfg(feature = "test-switches")]
    let builder = match std::env::var("ESPACE_PRO_TEST_INSTANCE") {
        Ok(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            builder.dbus_id(format!("fr.espacepro.desktop.test{id}"))
        }
        _ => builder,
    };
    builder.build()
}

pub(crate) fn test_summary_dir() -> Option<std::path::PathBuf> {
    #[cfg(feature = "test-switches")]
    return std::env::var_os("ESPACE_PRO_SUMMARY_DIR").map(Into::into);
    #[cfg(not(feature = "test-switches"))]
    None
}

/// The desk: the chosen service, or the embedded one (demo mode), and the system's keyring.
pub async fn build_desk(
    choice: settings::Choice,
    config_dir: &std::path::Path,
    data_dir: &std::path::Path,
) -> Result<Desk, String> {
    let keyring = std::sync::Arc::new(SystemKeyring);
    Desk::open(&choice, keyring, config_dir.to_owned(), data_dir.to_owned()).await
}

/// What the organisation's installer carries beside the program (`organisation.json` among the
/// resources), or nothing (the demo's installers, or a build run from `target/`).
fn organisation(package: &tauri::PackageInfo) -> Result<settings::Organisation, String> {
    #[allow(unused_mut)]
    let mut env = tauri::Env::default();
    // `APPDIR` names the resource folder only inside an AppImage: elsewhere (a .deb or .rpm
    // without resources) anyone who starts the program could point it at their own file.
    #[cfg(target_os = "linux")]
    if tauri::utils::platform::bundle_type() != Some(tauri::utils::config::BundleType::AppImage) {
        env.appdir = None;
        env.appimage = None;
    }
    match tauri::utils::platform::resource_dir(package, &env) {
        Ok(dir) => settings::read_organisation(&dir),
        Err(_) => Ok(settings::Organisation::default()),
    }
}

pub fn run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let context = tauri::generate_context!();
    let organisation = organisation(context.package_info()).unwrap_or_else(|e| {
        eprintln!("espace-pro: the organisation's settings cannot be used: {e}");
        std::process::exit(1);
    });
    // The organisation's service this installation carries, for administrators and the
    // package checks; nothing when there is none.
    if args.iter().any(|a| a == "--packaged-service-url") {
        if let Some(url) = &organisation.service_url {
            println!("{url}");
        }
        return;
    }
    settings::set_organisation(organisation);
    let link = espace_pro_desk::links::from_args(&args);
    tauri::Builder::default()
        // First: a second start of the app hands its arguments (a link) to this one, and exits.
        .plugin(single_instance())
        // Registers the espace-pro:// scheme where the installers do not (and gives macOS's
        // links, which come as events).
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        // Signed updates: the project's public key is in tauri.conf.json.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(updates::Pending::default())
        .setup(move |app| {
            let config_dir = app.path().app_config_dir()?;
            let data_dir = app.path().app_data_dir()?;
            espace_pro_server::files::private_dir(&data_dir)?;
            // A summary left for the viewer by a run that crashed.
            commands::profile::remove_printed(app.handle());
            let choice = settings::choose(&args, &config_dir);
            let desk = tauri::async_runtime::block_on(build_desk(choice, &config_dir, &data_dir))?;
            desk.set_link(link);
            app.manage(desk);
            {
                use tauri_plugin_deep_link::DeepLinkExt as _;
                let handle = app.handle().clone();
                app.deep_link().on_open_url(move |event| {
                    let urls: Vec<String> = event.urls().iter().map(|u| u.to_string()).collect();
                    links::forwarded(&handle, &urls);
                });
            }
            tauri::async_runtime::spawn(reminders::daily(app.handle().clone()));
            Ok(())
        })
        .invoke_handler(invoke_handler())
        .build(context)
        .expect("Espace Pro could not start its window")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                commands::profile::remove_printed(app);
            }
        });
}

#[cfg(test)]
mod ipc_tests {
    //! The commands through Tauri's mock runtime and the app's real capability file: what the
    //! window may call, and the `{code, message, fields}` it gets back.

    use espace_pro_desk::settings;
    use espace_pro_server::accounts::{NewAccount, create_account};
    use serde_json::{Value, json};
    use tauri::Manager;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::MockRuntime;
    use tauri::webview::InvokeRequest;

    fn invoke(
        webview: &tauri::WebviewWindow<MockRuntime>,
        cmd: &str,
        body: Value,
    ) -> Result<Value, Value> {
        tauri::test::get_ipc_response(
            webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
                body: InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: tauri::test::INVOKE_KEY.into(),
            },
        )
        .map(|r| r.deserialize::<Value>().expect("JSON answer"))
    }

    #[test]
    fn commands_answer_through_the_ipc_boundary() {
        let dir = tempfile::tempdir().unwrap();
        let smtp_port = espace_pro_testkit::reserve_port();
        let (service, state) = tauri::async_runtime::block_on(async {
            let config =
                espace_pro_server::Config::for_tests(&dir.path().join("s.sqlite"), smtp_port);
            let service = espace_pro_server::Application::build(
                config,
                std::sync::Arc::new(espace_pro_server::clock::SystemClock),
            )
            .await
            .unwrap();
            let account = NewAccount {
                email: "lila@example.fr".into(),
                first_name: "Lila".into(),
                last_name: "ROSEMONDE".into(),
                ..Default::default()
            };
            create_account(service.services(), &account, "Vert7Citron4Galop9Sable2")
                .await
                .unwrap();
            let url = format!("http://{}", service.addr());
            let choice = settings::Choice {
                url: Some(url),
                source: settings::Source::Flag,
            };
            // The desk's rules with the keyring are tested in espace-pro-desk; here, the IPC.
            let keyring = std::sync::Arc::new(espace_pro_desk::keyring::MemoryKeyring::default());
            let state = espace_pro_desk::Desk::open(
                &choice,
                keyring,
                dir.path().to_owned(),
                dir.path().to_owned(),
            )
            .await
            .unwrap();
            (service, state)
        });
        let app = tauri::test::mock_builder()
            .invoke_handler(crate::invoke_handler())
            .build(tauri::generate_context!())
            .unwrap();
        app.manage(state);
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();

        // Before the service is asked: the bundled contacts and the contract's rules.
        let info = invoke(&webview, "app_info", json!({})).unwrap();
        assert_eq!(info["demo"], Value::Null);
        assert_eq!(info["service"], Value::Null);
        assert_eq!(info["support"]["hotline"], "0 809 400 210");
        let info = invoke(&webview, "connect_service", json!({})).unwrap();
        assert_eq!(info["service"]["password_policy"]["min_chars"], 20);
        assert_eq!(info["policy"]["min_chars"], 20);
        let info = invoke(&webview, "app_info", json!({})).unwrap();
        assert_eq!(info["service"]["password_policy"]["min_chars"], 20);

        let err = invoke(&webview, "home", json!({})).unwrap_err();
        assert_eq!(err["code"], "no_session");
        let err = invoke(
            &webview,
            "login",
            json!({"email": "lila@example.fr", "password": "faux"}),
        )
        .unwrap_err();
        assert_eq!(err["code"], "invalid_credentials");
        assert!(err["message"].as_str().unwrap().contains("incorrect"));
        let ok = invoke(
            &webview,
            "login",
            json!({"email": "lila@example.fr", "password": "Vert7Citron4Galop9Sable2"}),
        )
        .unwrap();
        assert_eq!(
            ok,
            json!({"must_change_password": false}),
            "no token crosses to JavaScript"
        );

        let home = invoke(&webview, "home", json!({})).unwrap();
        assert_eq!(home["first_name"], "Lila");
        let strength = invoke(
            &webview,
            "password_strength",
            json!({"password": "Rosemonde"}),
        )
        .unwrap();
        assert_eq!(
            strength["rules"][0],
            json!({"rule": "too_short", "met": false})
        );
        let err = invoke(
            &webview,
            "change_password",
            json!({"newPassword": "court", "confirmPassword": "court"}),
        )
        .unwrap_err();
        assert_eq!(err["code"], "password_policy");
        assert_eq!(
            err["fields"]["new_password"],
            json!(["too_short", "missing_digit"])
        );

        // A summary left for the viewer by "Imprimer" goes with "Quitter".
        let printed = crate::commands::profile::print_dir(app.handle())
            .expect("a cache folder")
            .join("recapitulatif-test.pdf");
        espace_pro_server::files::private_dir(printed.parent().unwrap()).unwrap();
        std::fs::write(&printed, b"%PDF").unwrap();
        invoke(&webview, "logout", json!({})).unwrap();
        assert!(!printed.exists(), "the printed summary outlived Quitter");
        assert_eq!(
            invoke(&webview, "home", json!({})).unwrap_err()["code"],
            "no_session"
        );
        assert_eq!(
            invoke(&webview, "demo_mailbox", json!({})).unwrap_err()["code"],
            "not_demo"
        );
        // A command the capability does not list is refused.
        assert!(invoke(&webview, "plugin:dialog|save", json!({})).is_err());
        tauri::async_runtime::block_on(service.shutdown());
    }

    /// An update's signature must name the version its manifest announces: an older signed
    /// package offered as a newer version is refused (tests/update.rs installs one).
    #[test]
    fn updates_require_a_signed_version() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json");
        let conf: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(conf["plugins"]["updater"]["requireSignedVersion"], true);
        // An organisation's file carrying the project's key is accepted: the check at start
        // reads keys as the signer writes them.
        let dir = tempfile::tempdir().unwrap();
        let key = conf["plugins"]["updater"]["pubkey"].as_str().unwrap();
        std::fs::write(
            dir.path().join(settings::ORGANISATION_FILE),
            serde_json::json!({ "update_pubkey": key }).to_string(),
        )
        .unwrap();
        let read = settings::read_organisation(dir.path()).unwrap();
        assert_eq!(read.update_pubkey.as_deref(), Some(key));
    }

    /// The capability file grants the window exactly the commands of `commands/list.rs`, plus
    /// Tauri's defaults, setting its own title (the screen's, for screen readers and the task
    /// switcher) and its zoom (the zoom keys).
    #[test]
    fn the_capability_grants_every_command_and_nothing_else() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src-tauri/capabilities/default.json"
        );
        let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut granted: Vec<String> = file["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| {
                ![
                    "core:default",
                    "core:window:allow-set-title",
                    "core:webview:allow-set-webview-zoom",
                ]
                .contains(p)
            })
            .map(str::to_owned)
            .collect();
        granted.sort();
        let mut expected: Vec<String> = crate::COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        expected.sort();
        assert_eq!(granted, expected);
    }
}
