//! The accept loop: axum's own, plus what it lacks — a client must send its request headers
//! within `HEADER_READ_TIMEOUT` (a connection left half-open holds nothing), and on shutdown the
//! connections are asked to finish and then closed.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt as _;

/// How long a client has to send a request's headers (and an idle kept-alive connection lasts).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How many connections the service holds at once: in all, and from one client address (an
/// IPv6 /64 counts as one address; the trusted proxies, through which many clients come, are
/// exempt). A connection over either is closed as soon as it is accepted, so idle or half-sent
/// connections cannot take every file descriptor and starve everyone else.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub overall: usize,
    pub per_client: usize,
    pub exempt: Vec<ipnet::IpNet>,
}

/// The connections held now, in all and by client.
#[derive(Default)]
struct Held {
    overall: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// One connection counted in [`Held`], given back when it ends.
struct Slot {
    held: Arc<Mutex<Held>>,
    client: Option<IpAddr>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        held.overall -= 1;
        if let Some(client) = self.client
            && let Some(n) = held.by_client.get_mut(&client)
        {
            *n -= 1;
            if *n == 0 {
                held.by_client.remove(&client);
            }
        }
    }
}

/// The address connections are counted under: canonical, IPv6 by /64 (as the throttle keys it).
fn counted_as(peer: IpAddr) -> IpAddr {
    match peer.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

impl ConnectionLimits {
    /// A slot for a connection from `peer`, or `None` when a limit is reached.
    fn take(&self, held: &Arc<Mutex<Held>>, peer: IpAddr) -> Option<Slot> {
        let mut counts = held.lock().unwrap_or_else(|p| p.into_inner());
        if counts.overall >= self.overall {
            return None;
        }
        let canonical = peer.to_canonical();
        let client =
            (!self.exempt.iter().any(|n| n.contains(&canonical))).then(|| counted_as(peer));
        if let Some(client) = client {
            let n = counts.by_client.entry(client).or_insert(0);
            if *n >= self.per_client {
                return None;
            }
            *n += 1;
        }
        counts.overall += 1;
        Some(Slot {
            held: held.clone(),
            client,
        })
    }
}

/// Serves `app` on `listener` until `stop` turns true; then connections finish their request in
/// flight and close (the caller bounds how long that may take).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    let held = Arc::new(Mutex::new(Held::default()));
    let mut refused: u64 = 0;
    loop {
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let Some(slot) = limits.take(&held, peer.ip()) else {
            // Closed at once: its descriptor is free again.
            drop(stream);
            refused += 1;
            if refused.is_power_of_two() {
                tracing::warn!(
                    refused,
                    client = %counted_as(peer.ip()),
                    "connection limit reached: connections closed at once"
                );
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop = stop.clone();
        connections.spawn(async move {
            let _slot = slot;
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    app.clone().oneshot(request.map(axum::body::Body::new))
                });
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopped(&mut stop) => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // Forget the connections that are done.
        while connections.try_join_next().is_some() {}
    }
    while connections.join_next().await.is_some() {}
}

/// Once `stop` turns true (the guard it reads is not kept).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_hold_per_client_and_overall_and_free_on_drop() {
        let limits = ConnectionLimits {
            overall: 3,
            per_client: 2,
            exempt: vec!["10.0.0.1/32".parse().unwrap()],
        };
        let held = Arc::new(Mutex::new(Held::default()));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let a_mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        let first = limits.take(&held, a).unwrap();
        let _second = limits.take(&held, a_mapped).unwrap();
        assert!(limits.take(&held, a).is_none(), "per client");
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let _third = limits.take(&held, proxy).unwrap();
        assert!(limits.take(&held, proxy).is_none(), "overall");
        drop(first);
        assert!(limits.take(&held, a).is_some(), "given back");
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(counted_as(one), counted_as(other));
    }
}
