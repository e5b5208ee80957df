//! A TCP proxy in front of PostgreSQL that a test can cut and restore, to see
//! what the service does when its database goes away and comes back, without
//! stopping the server that other tests share.

use std::{net::SocketAddr, sync::Arc};

use tokio::{
    io::copy_bidirectional,
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

pub struct ChaosProxy {
    pub addr: SocketAddr,
    mode: Arc<watch::Sender<Mode>>,
    upstream: Arc<std::sync::Mutex<SocketAddr>>,
}

impl ChaosProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (mode, _) = watch::channel(Mode::Forward);
        let mode = Arc::new(mode);
        let modes = mode.clone();
        let upstream = Arc::new(std::sync::Mutex::new(upstream));
        let upstreams = upstream.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut changes = modes.subscribe();
                let current = *changes.borrow_and_update();
                let upstream = *upstreams.lock().expect("not poisoned");
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
                                _ = copy_bidirectional(&mut client, &mut server) => return,
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
        Self { addr, mode, upstream }
    }

    /// Points new connections at another server (a restarted container's new port).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.upstream.lock().expect("not poisoned") = upstream;
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}
