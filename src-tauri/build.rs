// The command list, written once in `commands/list.rs`; here only the names matter.
macro_rules! commands {
    ($($module:ident::$name:ident),* $(,)?) => {
        /// Every command the window may call; each gets an `allow-…` permission, and the
        /// capability file lists the ones the main window has.
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}
include!("commands/list.rs");

fn main() {
    // Capabilities live beside the Rust sources, not at the package root.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/commands/list.rs");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    println!("cargo:rerun-if-changed=ui");
    // The organisation's service, baked in by `cargo xtask package --service-url`.
    println!("cargo:rerun-if-env-changed=ESPACE_PRO_PACKAGED_SERVICE_URL");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
