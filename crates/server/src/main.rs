fn main() -> std::process::ExitCode {
    espace_pro_server::cli::main()
}
