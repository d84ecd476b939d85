//! A small SMTP server on loopback: enough of RFC 5321 for lettre (EHLO, MAIL, RCPT, DATA, RSET,
//! NOOP, QUIT), recording every accepted message.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::ReceivedMail;

#[derive(Clone, Default)]
struct Inbox {
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    arrived: Arc<Notify>,
}

pub struct SmtpListener {
    port: u16,
    inbox: Inbox,
    task: JoinHandle<()>,
}

/// A loopback port that was free a moment ago (for a listener started later on purpose), and
/// never one this process was given before: the system may hand the port it just freed to the
/// next request, and two listeners told the same port (tauri-driver and WebKitWebDriver, asked
/// one after the other) would have one fail to start.
pub fn reserve_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

impl SmtpListener {
    pub async fn start() -> Self {
        Self::start_on(0)
            .await
            .expect("bind an SMTP listener on loopback")
    }

    pub async fn start_on(port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let inbox = Inbox::default();
        let accept_inbox = inbox.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let inbox = accept_inbox.clone();
                tokio::spawn(async move {
                    let _ = session(stream, inbox).await;
                });
            }
        });
        Ok(Self { port, inbox, task })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.inbox.mails.lock().unwrap().clone()
    }

    /// Waits until at least `count` messages have arrived; panics after `timeout`.
    pub async fn wait_for_count(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inbox.arrived.notified();
            let mails = self.messages();
            if mails.len() >= count {
                return mails;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "expected {count} e-mail(s) within {timeout:?}, got {}",
                    self.messages().len()
                );
            }
        }
    }

    /// Waits for a message matching `pred`; panics after `timeout`.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        pred: impl Fn(&ReceivedMail) -> bool,
    ) -> ReceivedMail {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inbox.arrived.notified();
            if let Some(m) = self.messages().into_iter().find(|m| pred(m)) {
                return m;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let subjects: Vec<_> = self
                    .messages()
                    .iter()
                    .map(|m| (m.envelope_to.clone(), m.subject.clone()))
                    .collect();
                panic!("no matching e-mail within {timeout:?}; received: {subjects:?}");
            }
        }
    }

    /// Waits for the `nth` message (from 1) to `to` alone with `subject`; panics after `timeout`.
    pub async fn wait_for_nth(
        &self,
        to: &str,
        subject: &str,
        nth: usize,
        timeout: Duration,
    ) -> ReceivedMail {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inbox.arrived.notified();
            let mut found = self
                .messages()
                .into_iter()
                .filter(|m| m.envelope_to == [to.to_owned()] && m.subject == subject);
            if let Some(mail) = found.nth(nth - 1) {
                return mail;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("no e-mail {nth} to {to} about {subject:?} within {timeout:?}");
            }
        }
    }

    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for SmtpListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn address(arg: &str) -> String {
    let arg = arg.trim();
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg.find('>').unwrap_or(arg.len());
    arg[start..end.max(start)].to_owned()
}

async fn session(stream: TcpStream, inbox: Inbox) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 testkit ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-testkit\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n")
                .await?;
        } else if upper.starts_with("HELO") {
            write.write_all(b"250 testkit\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command[10..]);
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&command[8..]));
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut raw = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                raw.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let mail = ReceivedMail::parse(from.clone(), std::mem::take(&mut to), raw);
            inbox.mails.lock().unwrap().push(mail);
            inbox.arrived.notify_waiters();
            write.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "RSET" {
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 Command not implemented\r\n").await?;
        }
    }
}

#[cfg(test)]
mod port_tests {
    #[test]
    fn ports_are_never_given_twice() {
        let ports: Vec<u16> = (0..200).map(|_| super::reserve_port()).collect();
        let mut unique = ports.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ports.len());
    }
}
