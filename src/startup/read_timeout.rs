//! Connections whose client goes quiet are closed: every read from a client
//! socket fails once it has waited longer than the idle timeout. That ends
//! idle keep-alive connections and stalled requests alike, including a
//! slowloris that sends half a header and stops, which poem's own idle
//! timeout cannot end (it shuts such a connection down gracefully, and hyper
//! then waits for the rest of the request). Handlers never outlast it: every
//! database wait is bounded well below the default.

use std::{io, pin::Pin, time::Duration};

use poem::{
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio_io_timeout::TimeoutStream;

pub struct ReadTimeoutAcceptor<A> {
    inner: A,
    timeout: Duration,
}

impl<A> ReadTimeoutAcceptor<A> {
    pub fn new(inner: A, timeout: Duration) -> Self {
        Self { inner, timeout }
    }
}

impl<A: Acceptor> Acceptor for ReadTimeoutAcceptor<A> {
    type Io = Pin<Box<TimeoutStream<A::Io>>>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        let (io, local, remote, scheme) = self.inner.accept().await?;
        let mut stream = TimeoutStream::new(io);
        stream.set_read_timeout(Some(self.timeout));
        Ok((Box::pin(stream), local, remote, scheme))
    }
}
