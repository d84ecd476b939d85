//! Who the client is (review findings 2 and 3): behind the documented proxy, no header a client
//! sends makes it another client; on a dual-stack listener, IPv4 clients are told apart.

use espace_pro_pgtemp::Haproxy;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

const WRONG: &str = "Wrong7Citron4Galop9Sable2";

/// The service behind HAProxy with `option forwardfor` (which appends to `X-Forwarded-For` and
/// passes `Forwarded` on), trusting it, with a client limit of 3 and 2 CAPTCHAs a window: a
/// client naming a new address in `Forwarded` at each request was taken for it (8 of 8 wrong
/// log-ins evaluated, 6 of 6 CAPTCHAs made, its made-up address in the owner's activity).
#[tokio::test]
async fn a_client_behind_the_proxy_cannot_choose_its_address() {
    let app = TestApp::spawn_with(|c| {
        c.throttle.client_failures_per_window = 3;
        c.throttle.captchas_per_window = 2;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        // Test switches are refused behind a proxy; this test needs none.
        c.captcha_test_answer = None;
    })
    .await;
    // Started off the runtime: it waits for HAProxy's health check of the service, which runs
    // on this test's runtime.
    let (dir, port) = (app.dir.path().to_owned(), app.app().port());
    let proxy = tokio::task::spawn_blocking(move || Haproxy::start(&dir, port))
        .await
        .unwrap()
        .expect("HAProxy starts");
    let through = |path: &str| format!("http://127.0.0.1:{}{path}", proxy.port);
    let http = reqwest::Client::new();

    // The owner's activity names the address the proxy saw, not the one the client wrote.
    app.create_account("lila@example.fr", &[]).await;
    let r = http
        .post(through("/v1/sessions"))
        .header("forwarded", "for=198.51.100.200")
        .header("x-real-ip", "198.51.100.201")
        .json(&json!({"email": "lila@example.fr", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, activity) = read(app.get("/v1/account/activity", &token).await).await;
    assert_eq!(activity["events"][0]["kind"], "login");
    assert_eq!(
        activity["events"][0]["client_ip"], "127.0.0.1",
        "{activity}"
    );

    let mut evaluated = 0;
    for n in 1..=8 {
        let r = http
            .post(through("/v1/sessions"))
            .header("forwarded", format!("for=198.51.100.{n}"))
            .json(&json!({"email": format!("u{n}@example.fr"), "password": WRONG}))
            .send()
            .await
            .unwrap();
        match r.status() {
            StatusCode::UNAUTHORIZED => evaluated += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("log-in {n}: {other}"),
        }
    }
    let mut made = 0;
    for n in 1..=6 {
        let r = http
            .post(through("/v1/captchas"))
            .header("forwarded", format!("for=198.51.100.{}", 100 + n))
            .send()
            .await
            .unwrap();
        match r.status() {
            StatusCode::CREATED => made += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("CAPTCHA {n}: {other}"),
        }
    }
    println!(
        "through the proxy: {evaluated} of 8 wrong log-ins evaluated, {made} of 6 CAPTCHAs made"
    );
    assert_eq!(evaluated, 3, "the client limit is 3");
    assert_eq!(made, 2, "the CAPTCHA limit is 2");
}

/// `--listen [::]:PORT`: IPv4 peers arrive as `::ffff:a.b.c.d`, which were all one client
/// (`client:0:0:0:0::/64`): three failures from 127.0.0.1 made a right password from 127.0.0.2
/// answer 429.
#[tokio::test]
async fn ipv4_clients_of_a_dual_stack_listener_are_told_apart() {
    let app = TestApp::spawn_with(|c| {
        c.listen = "[::]:0".parse().unwrap();
        c.throttle.client_failures_per_window = 3;
        // Test switches need a loopback listener; this test needs none.
        c.captcha_test_answer = None;
    })
    .await;
    app.create_account("lila@example.fr", &[]).await;
    let url = format!("http://127.0.0.1:{}/v1/sessions", app.app().port());
    let from = |ip: [u8; 4]| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .unwrap()
    };
    let first = from([127, 0, 0, 1]);
    for n in 0..3 {
        let r = first
            .post(&url)
            .json(&json!({"email": format!("u{n}@example.fr"), "password": WRONG}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = first
        .post(&url)
        .json(&json!({"email": "u9@example.fr", "password": WRONG}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "127.0.0.1 is at its limit"
    );
    let r = from([127, 0, 0, 2])
        .post(&url)
        .json(&json!({"email": "lila@example.fr", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "127.0.0.2 is another client"
    );
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("http://127.0.0.1:{}/v1/account/activity", app.app().port());
    let activity = send_json(first.get(url).bearer_auth(&token)).await;
    assert_eq!(
        activity["events"][0]["client_ip"], "127.0.0.2",
        "{activity}"
    );
}
