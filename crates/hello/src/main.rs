//! `hello-world ADDRESS`: answers `GET /` with a short text, on the same runtime and HTTP stack
//! as the service (axum 0.8, tokio's multi-threaded runtime). It is what a request costs before
//! the service does any work of its own.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&address).await?;
    axum::serve(listener, app).await
}
