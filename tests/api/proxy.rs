//! A TCP proxy in front of PostgreSQL that a test can cut and restore, to see
//! what the service does when its database goes away and comes back, without
//! stopping the server that other tests share.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use reviewpoint::config::DatabaseUrl;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::watch,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Pass traffic through.
    Forward,
    /// Accept, then close at once: like a server that is down.
    Refuse,
    /// Accept and never answer: like a server behind a dead network.
    /// Connections already open go silent too, but stay open.
    Blackhole,
}

/// A one-time cut armed on the bytes a client sends (see `cut_after_sending`).
#[derive(Clone, Default)]
struct Tripwire(Arc<Mutex<Option<&'static [u8]>>>);

impl Tripwire {
    /// True (once) when `sent` holds the armed pattern.
    fn trips_on(&self, sent: &[u8]) -> bool {
        let mut armed = self.0.lock().expect("not poisoned");
        let tripped = armed.is_some_and(|pattern| sent.windows(pattern.len()).any(|window| window == pattern));
        if tripped {
            *armed = None;
        }
        tripped
    }
}

pub struct ChaosProxy {
    pub addr: SocketAddr,
    mode: Arc<watch::Sender<Mode>>,
    upstream: Arc<Mutex<SocketAddr>>,
    tripwire: Tripwire,
}

impl ChaosProxy {
    /// A proxy in front of the server of `url`, and the URL that goes through it.
    pub async fn in_front_of(url: &DatabaseUrl) -> (Self, DatabaseUrl) {
        let (host, port) = url.host_and_port();
        let upstream = tokio::net::lookup_host((host.as_str(), port)).await.expect("resolve").next().expect("address");
        let proxy = Self::start(upstream).await;
        // In plain text: the proxy cuts connections after given statements.
        let proxied = url.with_host_and_port("127.0.0.1", proxy.addr.port()).without_tls();
        (proxy, proxied)
    }

    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (mode, _) = watch::channel(Mode::Forward);
        let mode = Arc::new(mode);
        let modes = mode.clone();
        let upstream = Arc::new(Mutex::new(upstream));
        let upstreams = upstream.clone();
        let tripwire = Tripwire::default();
        let tripwires = tripwire.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut changes = modes.subscribe();
                let current = *changes.borrow_and_update();
                let upstream = *upstreams.lock().expect("not poisoned");
                let tripwire = tripwires.clone();
                tokio::spawn(async move {
                    match current {
                        Mode::Refuse => drop(client),
                        Mode::Blackhole => {
                            let _held = client;
                            let _ = changes.changed().await;
                        }
                        Mode::Forward => {
                            let Ok(server) = TcpStream::connect(upstream).await else { return };
                            let (mut client, mut server) = (client, server);
                            tokio::select! {
                                _ = relay(&mut client, &mut server, &tripwire) => return,
                                _ = changes.changed() => {}
                            }
                            // Refuse cuts live connections, as a restart would;
                            // Blackhole holds them open in silence until the next change.
                            if *changes.borrow_and_update() == Mode::Blackhole {
                                let _held = (client, server);
                                let _ = changes.changed().await;
                            }
                        }
                    }
                });
            }
        });
        Self { addr, mode, upstream, tripwire }
    }

    /// Arms a one-time cut: the next client message that contains `pattern`
    /// reaches the server, the server's answer is swallowed and the connection
    /// closes. The client cannot tell whether the server acted on it, as when
    /// a connection dies during a COMMIT.
    pub fn cut_after_sending(&self, pattern: &'static [u8]) {
        *self.tripwire.0.lock().expect("not poisoned") = Some(pattern);
    }

    /// Points new connections at another server (a restarted container's new port).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.upstream.lock().expect("not poisoned") = upstream;
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

/// Copies both ways until either side closes or the tripwire ends it.
/// (Not `copy_bidirectional`: the tripwire needs to see what passes.)
async fn relay(client: &mut TcpStream, server: &mut TcpStream, tripwire: &Tripwire) -> std::io::Result<()> {
    let (mut from_client, mut to_client) = client.split();
    let (mut from_server, mut to_server) = server.split();
    let tripped = AtomicBool::new(false);
    let upstream = async {
        let mut buffer = vec![0; 16 * 1024];
        loop {
            let read = from_client.read(&mut buffer).await?;
            if read == 0 {
                return Ok(());
            }
            if tripwire.trips_on(&buffer[..read]) {
                tripped.store(true, Ordering::SeqCst);
            }
            to_server.write_all(&buffer[..read]).await?;
        }
    };
    let downstream = async {
        let mut buffer = vec![0; 16 * 1024];
        loop {
            let read = from_server.read(&mut buffer).await?;
            // Once tripped, the server's first answer means it has acted:
            // drop that answer and the connection with it.
            if read == 0 || tripped.load(Ordering::SeqCst) {
                return Ok(());
            }
            to_client.write_all(&buffer[..read]).await?;
        }
    };
    tokio::select! {
        relayed = upstream => relayed,
        relayed = downstream => relayed,
    }
}
