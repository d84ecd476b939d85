//! Espace Pro desktop app: the Tauri shell. Screens live in `ui/`; the logic lives in crates that
//! know nothing of Tauri.

pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("Espace Pro could not start its window");
}
