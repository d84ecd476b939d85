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
    espace_pro_app::run();
}
