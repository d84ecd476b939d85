// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-V")
    {
        println!("espace-pro {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    // The organisation's service this build was packaged with (`cargo xtask package
    // --service-url`), for administrators and the package checks; nothing when there is none.
    if std::env::args()
        .skip(1)
        .any(|a| a == "--packaged-service-url")
    {
        if let Some(url) = espace_pro_desk::settings::packaged() {
            println!("{url}");
        }
        return;
    }
    espace_pro_app::run();
}
