//! The connection to the SMTP relay, made here rather than by lettre's transport so that its TCP
//! socket has `TCP_NODELAY`: lettre writes a message's body and its final `.` in two writes, and
//! with Nagle's algorithm the second waits for the relay's delayed acknowledgement (~40 ms a
//! message). lettre still speaks SMTP (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA) on our socket.
//!
//! Connections that delivered a message are kept for the next one (at most one per delivery in
//! progress, for 30 s); a kept connection that fails is replaced once by a new one.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

use super::address::{RelayAddress, Security};

/// How long a connection to the relay may take to open, TLS and greeting included.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A kept connection older than this is closed rather than reused (relays drop idle clients).
const KEEP_IDLE: Duration = Duration::from_secs(30);

pub struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    tls: Option<tokio_rustls::TlsConnector>,
    /// What STARTTLS trusts, in lettre's shape: the computer's authorities and an
    /// organisation's (`--smtp-ca-file`), as SMTPS does.
    starttls_roots: Vec<lettre::transport::smtp::client::Certificate>,
    kept: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    keep_at_most: usize,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// `address`: as the command line checked it.
    /// `keep_at_most`: connections kept open between deliveries.
    /// `ca_pem`: certificate authorities to trust besides the computer's (PEM).
    pub fn new(
        address: &RelayAddress,
        keep_at_most: usize,
        ca_pem: Option<&[u8]>,
    ) -> Result<Self, String> {
        let extra_roots = match ca_pem {
            None => Vec::new(),
            Some(pem) => {
                use rustls::pki_types::pem::PemObject as _;
                let certs = rustls::pki_types::CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("the certificate authority file: {e}"))?;
                if certs.is_empty() {
                    return Err("the certificate authority file holds no PEM certificate".into());
                }
                // Named on purpose: each must be one TLS can use, or the relay would be refused
                // later for a reason nobody sees.
                for (n, der) in certs.iter().enumerate() {
                    rustls::RootCertStore::empty()
                        .add(der.clone())
                        .map_err(|e| {
                            format!(
                                "the certificate authority file's certificate {} cannot be \
                                 used as an authority: {e}",
                                n + 1
                            )
                        })?;
                }
                certs
            }
        };
        let security = address.security;
        let credentials = address.user.as_ref().map(|user| {
            Credentials::new(
                user.clone(),
                address.password().unwrap_or_default().to_owned(),
            )
        });
        let roots = match security {
            Security::Plain => Vec::new(),
            Security::StartTls | Security::Tls => usable_roots(system_roots(), extra_roots)?,
        };
        let tls = (security == Security::Tls).then(|| {
            let mut store = rustls::RootCertStore::empty();
            store.add_parsable_certificates(roots.iter().cloned());
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map(|b| b.with_root_certificates(store).with_no_client_auth());
            config.map(|c| tokio_rustls::TlsConnector::from(Arc::new(c)))
        });
        let starttls_roots = match security {
            Security::StartTls => roots
                .iter()
                .filter_map(|der| {
                    lettre::transport::smtp::client::Certificate::from_der(der.to_vec()).ok()
                })
                .collect(),
            _ => Vec::new(),
        };
        let tls = tls.transpose().map_err(|e| format!("TLS: {e}"))?;
        Ok(Self {
            host: address.host.clone(),
            port: address.port,
            security,
            credentials,
            hello: ClientId::default(),
            tls,
            starttls_roots,
            kept: Mutex::new(Vec::new()),
            keep_at_most: keep_at_most.max(1),
        })
    }

    /// Hands one message to the relay.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), String> {
        if let Some(mut conn) = self.take_kept() {
            if conn.send(envelope, message).await.is_ok() {
                self.keep(conn);
                return Ok(());
            }
            // The relay may have closed it meanwhile: one more try on a new connection.
            conn.abort().await;
        }
        let mut conn = self.connect().await?;
        match conn.send(envelope, message).await {
            Ok(_) => {
                self.keep(conn);
                Ok(())
            }
            Err(e) => {
                conn.abort().await;
                Err(e.to_string())
            }
        }
    }

    fn take_kept(&self) -> Option<AsyncSmtpConnection> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((conn, since)) = kept.pop() {
            if since.elapsed() < KEEP_IDLE && !conn.has_broken() {
                return Some(conn);
            }
            // Dropped: its socket closes (the relay sees the connection end without QUIT).
        }
        None
    }

    fn keep(&self, conn: AsyncSmtpConnection) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() < self.keep_at_most {
            kept.push((conn, Instant::now()));
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        tokio::time::timeout(CONNECT_TIMEOUT, self.open())
            .await
            .map_err(|_| {
                format!(
                    "the relay {}:{} did not answer within {} s",
                    self.host,
                    self.port,
                    CONNECT_TIMEOUT.as_secs()
                )
            })?
    }

    async fn open(&self) -> Result<AsyncSmtpConnection, String> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| format!("{}:{}: {e}", self.host, self.port))?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let peer = tcp.peer_addr().map_err(|e| e.to_string())?;
        let stream: Box<dyn AsyncTokioStream> = match &self.tls {
            Some(tls) => {
                let name = rustls::pki_types::ServerName::try_from(self.host.clone())
                    .map_err(|e| format!("{}: {e}", self.host))?;
                let tls = tls
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("TLS with {}: {e}", self.host))?;
                Box::new(Tls { inner: tls, peer })
            }
            None => Box::new(tcp),
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
            .await
            .map_err(|e| e.to_string())?;
        if self.security == Security::StartTls {
            // The same authorities as SMTPS, and no others (not lettre's copy of the web's).
            let mut parameters = TlsParameters::builder(self.host.clone())
                .certificate_store(lettre::transport::smtp::client::CertificateStore::None);
            for root in &self.starttls_roots {
                parameters = parameters.add_root_certificate(root.clone());
            }
            let parameters = parameters.build_rustls().map_err(|e| e.to_string())?;
            conn.starttls(parameters, &self.hello)
                .await
                .map_err(|e| e.to_string())?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(conn)
    }
}

/// A TLS stream over our socket, in the shape lettre takes.
struct Tls {
    inner: tokio_rustls::client::TlsStream<TcpStream>,
    peer: SocketAddr,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("peer", &self.peer).finish()
    }
}

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.peer)
    }
}

impl AsyncRead for Tls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The authorities TLS can use: the computer's, each checked as rustls will (lettre refuses the
/// whole list for one it cannot take), those it cannot left out and said so in the log; then
/// those of `--smtp-ca-file`, already checked one by one. None at all is refused at start: no
/// relay's certificate could be checked, and the mail would wait forever.
fn usable_roots(
    system: Vec<rustls::pki_types::CertificateDer<'static>>,
    named: Vec<rustls::pki_types::CertificateDer<'static>>,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    let total = system.len();
    let mut usable: Vec<_> = system
        .into_iter()
        .filter(|der| rustls::RootCertStore::empty().add(der.clone()).is_ok())
        .collect();
    if usable.len() < total {
        tracing::warn!(
            refused = total - usable.len(),
            "trusted authorities of this computer not usable by TLS, left out"
        );
    }
    usable.extend(named);
    if usable.is_empty() {
        return Err(
            "no certificate authority to check the relay's certificate against: \
                    install ca-certificates, or name one with --smtp-ca-file"
                .into(),
        );
    }
    Ok(usable)
}

/// The authorities this computer trusts (its bundle, or what `SSL_CERT_FILE` names): a relay
/// inside an organisation, with a certificate from the organisation's own authority, is trusted
/// as the rest of the machine trusts it. What cannot be read is said in the log.
fn system_roots() -> Vec<rustls::pki_types::CertificateDer<'static>> {
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!(%error, "a trusted authority of this computer could not be read");
    }
    if found.certs.is_empty() {
        tracing::warn!("this computer trusts no certificate authority (install ca-certificates)");
    }
    found.certs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_takes_the_address_and_its_credentials() {
        let address: RelayAddress = "smtps://alerte%40pro:p%25%3Aw@[::1]:4650".parse().unwrap();
        let r = Relay::new(&address, 4, None).unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.security),
            ("::1", 4650, Security::Tls)
        );
        assert!(r.credentials == Some(Credentials::new("alerte@pro".into(), "p%:w".into())));
        let r = Relay::new(&RelayAddress::loopback(2525), 4, None).unwrap();
        assert!(r.credentials.is_none() && r.tls.is_none());
        assert!(Relay::new(&address, 4, Some(b"no PEM here")).is_err());
    }

    #[test]
    fn roots_rustls_cannot_take_are_left_out_and_none_at_all_is_refused() {
        let not_a_certificate =
            rustls::pki_types::CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
        assert!(usable_roots(vec![], vec![]).is_err());
        assert!(usable_roots(vec![not_a_certificate.clone()], vec![]).is_err());
        let system = system_roots();
        assert!(!system.is_empty(), "the system's bundle (ca-certificates)");
        let kept =
            usable_roots(vec![not_a_certificate.clone(), system[0].clone()], vec![]).unwrap();
        assert_eq!(kept, vec![system[0].clone()]);
        // A computer without authorities, one named: that one.
        let kept = usable_roots(vec![not_a_certificate], vec![system[1].clone()]).unwrap();
        assert_eq!(kept, vec![system[1].clone()]);
    }

    #[test]
    fn a_named_authority_tls_cannot_use_is_refused_not_dropped() {
        let address: RelayAddress = "smtps://relay.example".parse().unwrap();
        // PEM that holds a DER which is not a certificate: parsed as PEM, refused as authority.
        let pem = b"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
        let err = Relay::new(&address, 4, Some(pem)).unwrap_err();
        assert!(err.contains("certificate 1 cannot be used"), "{err}");
        let plain = RelayAddress::loopback(2525);
        assert!(
            Relay::new(&plain, 4, Some(pem)).is_err(),
            "checked whatever the relay's TLS"
        );
    }
}
