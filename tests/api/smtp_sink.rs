//! A real SMTP server for the tests, over TCP: enough of RFC 5321 for
//! lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeping every mail
//! it accepts. Written here rather than taken from a crate: the issue asks
//! for a small sink in the harness, and what it must do (stop and start on
//! one port, refuse on demand, count deliveries) is what the tests measure.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::JoinSet,
};

/// One accepted mail.
#[derive(Clone, Debug)]
pub struct SinkMail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent, dot-unstuffed, lines ending in CRLF.
    pub data: String,
}

impl SinkMail {
    pub fn header(&self, name: &str) -> Option<&str> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The body as a mail client shows it: quoted-printable decoded.
    pub fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        match self.header("Content-Transfer-Encoding") {
            Some(encoding) if encoding.eq_ignore_ascii_case("quoted-printable") => {
                let decoded = quoted_printable::decode(body, quoted_printable::ParseMode::Strict).expect("valid QP");
                String::from_utf8(decoded).expect("UTF-8 text")
            }
            _ => body.to_owned(),
        }
    }

    /// The `token` query parameter of the link in the mail.
    pub fn reset_token(&self) -> String {
        let text = self.text();
        let link = text.split_whitespace().find(|word| word.starts_with("http")).expect("the mail has a link");
        let (_, query) = link.split_once('?').expect("the link has a query");
        let token = query.split('&').find_map(|pair| pair.strip_prefix("token=")).expect("the link carries token=");
        token.to_owned()
    }
}

#[derive(Default)]
struct Shared {
    mails: Mutex<Vec<SinkMail>>,
    arrived: Notify,
    /// Answer RCPT with 550: every mail is refused for good.
    refuse: AtomicBool,
    /// Accept connections and never say a word on them.
    silent: AtomicBool,
    connections: AtomicUsize,
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().expect("address"), Arc::default()).await
    }

    async fn start_on(addr: SocketAddr, shared: Arc<Shared>) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the SMTP sink");
        let addr = listener.local_addr().expect("local address");
        let accepting = shared.clone();
        let server = tokio::spawn(async move {
            // Dropped with this task, the set aborts every open connection.
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                connections.spawn(serve(stream, accepting.clone()));
            }
        });
        Self { addr, shared, server: Some(server) }
    }

    /// `smtp://127.0.0.1:<port>`, plain text.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// An outage: the port stops answering and open connections are cut.
    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = server.await;
        }
    }

    /// Back on the same port, keeping the mail received so far.
    pub async fn restart(&mut self) {
        self.stop().await;
        *self = Self::start_on(self.addr, self.shared.clone()).await;
    }

    pub fn refuse_everything(&self, refuse: bool) {
        self.shared.refuse.store(refuse, Ordering::SeqCst);
    }

    /// A server that hangs: new connections are accepted and then left
    /// without a greeting, open, until the client gives up.
    pub fn go_silent(&self, silent: bool) {
        self.shared.silent.store(silent, Ordering::SeqCst);
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    pub fn mails(&self) -> Vec<SinkMail> {
        self.shared.mails.lock().expect("sink lock").clone()
    }

    /// Waits until `count` mails have arrived in all; panics after `timeout`.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<SinkMail> {
        let waiting = async {
            loop {
                let arrived = self.shared.arrived.notified();
                let mails = self.mails();
                if mails.len() >= count {
                    return mails;
                }
                arrived.await;
            }
        };
        match tokio::time::timeout(timeout, waiting).await {
            Ok(mails) => mails,
            Err(_) => panic!("{} of {count} mails arrived within {timeout:?}", self.mails().len()),
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    shared.connections.fetch_add(1, Ordering::SeqCst);
    if shared.silent.load(Ordering::SeqCst) {
        // Held open, silent, until the client hangs up or the sink stops.
        let mut ignored = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut { stream }, &mut ignored).await;
        return;
    }
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut reply = async |text: &str| write.write_all(format!("{text}\r\n").as_bytes()).await.is_ok();
    if !reply("220 sink.test ESMTP").await {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let verb = command.split([' ', ':']).next().unwrap_or_default().to_ascii_uppercase();
        let answered = match verb.as_str() {
            "EHLO" => reply("250-sink.test\r\n250 8BITMIME").await,
            "HELO" | "NOOP" => reply("250 OK").await,
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                reply("250 OK").await
            }
            "MAIL" => {
                from = address(&command);
                reply("250 OK").await
            }
            "RCPT" if shared.refuse.load(Ordering::SeqCst) => reply("550 5.1.1 mailbox unavailable").await,
            "RCPT" => {
                to.push(address(&command));
                reply("250 OK").await
            }
            "DATA" => {
                if !reply("354 end with <CRLF>.<CRLF>").await {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let mail = SinkMail { from: std::mem::take(&mut from), to: std::mem::take(&mut to), data };
                shared.mails.lock().expect("sink lock").push(mail);
                shared.arrived.notify_waiters();
                reply("250 OK queued").await
            }
            "QUIT" => {
                let _ = reply("221 bye").await;
                return;
            }
            _ => reply("502 command not implemented").await,
        };
        if !answered {
            return;
        }
    }
}

/// `MAIL FROM:<a@b> SIZE=1` → `a@b`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |at| at + 1);
    let end = command[start..].find('>').map_or(command.len(), |at| start + at);
    command[start..end].to_owned()
}
