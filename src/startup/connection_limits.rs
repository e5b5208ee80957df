//! What one client connection may cost, enforced where connections are
//! accepted:
//!
//! - **How many at once.** Past `max_connections`, the server stops
//!   accepting until one closes; the rest wait in the kernel's backlog.
//! - **How long a request head may take.** The whole head (request line and
//!   headers) must arrive within `head_timeout` of its first byte
//!   ([`HeadDeadline`]): a slowloris sending a byte every few seconds keeps
//!   resetting any idle timer but not this one. hyper has such a timer
//!   (`header_read_timeout`), but poem 3 builds hyper's connection itself
//!   and does not expose it, so it is applied to the socket here.
//! - **How long a client may go quiet.** Every read fails once it has waited
//!   longer than `idle_timeout`. That ends idle keep-alive connections and
//!   stalled requests alike, which poem's own idle timeout cannot end (it
//!   shuts such a connection down gracefully, and hyper then waits for the
//!   rest of the request). Handlers never outlast it: every database wait is
//!   bounded well below the default.

use std::{
    io,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, ready},
    time::Duration,
};

use poem::{
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    sync::{OwnedSemaphorePermit, Semaphore},
    time::{Instant, Sleep},
};
use tokio_io_timeout::TimeoutStream;

use crate::state::HttpLimits;

pub struct LimitedAcceptor<A> {
    inner: A,
    limits: HttpLimits,
    open: Arc<Semaphore>,
}

impl<A> LimitedAcceptor<A> {
    pub fn new(inner: A, limits: HttpLimits) -> Self {
        Self { inner, limits, open: Arc::new(Semaphore::new(limits.max_connections)) }
    }
}

impl<A: Acceptor> Acceptor for LimitedAcceptor<A> {
    type Io = Pin<Box<TimeoutStream<HeadDeadline<A::Io>>>>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        // Never closed, so acquiring only ever waits.
        let permit = self.open.clone().acquire_owned().await.map_err(io::Error::other)?;
        let (io, local, remote, scheme) = self.inner.accept().await?;
        let mut stream = TimeoutStream::new(HeadDeadline::new(io, self.limits.head_timeout, permit));
        stream.set_read_timeout(Some(self.limits.idle_timeout));
        Ok((Box::pin(stream), local, remote, scheme))
    }
}

/// Where a connection is in its current request, as far as the bytes show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Head {
    /// Between requests: the next byte read starts a head, and its deadline.
    Awaiting,
    /// A head is arriving; `matched` bytes of its closing CRLF CRLF are in.
    Receiving { matched: usize },
    /// The head is in (the body, if any, has the body timeout); the next
    /// response written makes the connection await the next head.
    Received,
    /// HTTP/2 (its prior-knowledge preface): headers come in frames, not as
    /// a text head, and streams are capped by the server instead.
    Http2,
}

/// A client socket that fails its reads once a request head has taken
/// longer than `timeout` from its first byte. Holds the connection's place
/// among the open ones until dropped.
pub struct HeadDeadline<S> {
    inner: S,
    timeout: Duration,
    head: Head,
    /// Bytes of the connection read so far, up to the preface's length.
    opening: Vec<u8>,
    deadline: Pin<Box<Sleep>>,
    _place: OwnedSemaphorePermit,
}

const HEAD_END: &[u8; 4] = b"\r\n\r\n";
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0";

impl<S> HeadDeadline<S> {
    fn new(inner: S, timeout: Duration, place: OwnedSemaphorePermit) -> Self {
        let deadline = Box::pin(tokio::time::sleep(timeout));
        Self { inner, timeout, head: Head::Awaiting, opening: Vec::new(), deadline, _place: place }
    }

    /// Follows the head through the bytes just read.
    fn read(&mut self, bytes: &[u8]) {
        if self.opening.len() < HTTP2_PREFACE.len() {
            let missing = HTTP2_PREFACE.len() - self.opening.len();
            self.opening.extend_from_slice(&bytes[..bytes.len().min(missing)]);
            if self.opening.len() == HTTP2_PREFACE.len() && self.opening == HTTP2_PREFACE {
                self.head = Head::Http2;
            }
        }
        for &byte in bytes {
            self.head = match self.head {
                Head::Awaiting => {
                    self.deadline.as_mut().reset(Instant::now() + self.timeout);
                    Head::Receiving { matched: usize::from(byte == HEAD_END[0]) }
                }
                Head::Receiving { matched } if byte == HEAD_END[matched] => match matched + 1 {
                    4 => Head::Received,
                    matched => Head::Receiving { matched },
                },
                Head::Receiving { .. } => Head::Receiving { matched: usize::from(byte == HEAD_END[0]) },
                done @ (Head::Received | Head::Http2) => return self.head = done,
            };
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadDeadline<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if matches!(self.head, Head::Receiving { .. }) && self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the request head took too long")));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        let this = &mut *self;
        this.read(&buf.filled()[before..]);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadDeadline<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        let written = ready!(Pin::new(&mut self.inner).poll_write(cx, bytes))?;
        if written > 0 && self.head == Head::Received {
            self.head = Head::Awaiting;
        }
        Poll::Ready(Ok(written))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buffers: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = ready!(Pin::new(&mut self.inner).poll_write_vectored(cx, buffers))?;
        if written > 0 && self.head == Head::Received {
            self.head = Head::Awaiting;
        }
        Poll::Ready(Ok(written))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> HeadDeadline<tokio::io::Empty> {
        let place = Arc::new(Semaphore::new(1)).try_acquire_owned().expect("a place");
        HeadDeadline::new(tokio::io::empty(), Duration::from_secs(10), place)
    }

    #[tokio::test]
    async fn a_head_is_followed_across_reads_split_anywhere() {
        let request = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        for split in 0..request.len() {
            let mut stream = head();
            stream.read(&request[..split]);
            stream.read(&request[split..]);
            assert_eq!(stream.head, Head::Received, "split at {split}");
        }
        let mut stream = head();
        stream.read(b"GET / HTTP/1.1\r\nX: \r\r\n\n");
        assert!(matches!(stream.head, Head::Receiving { .. }), "no CRLF CRLF yet");
    }

    #[tokio::test]
    async fn the_http2_preface_turns_the_head_deadline_off() {
        let mut stream = head();
        stream.read(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00");
        assert_eq!(stream.head, Head::Http2);
        let mut split = head();
        split.read(b"PRI * HT");
        split.read(b"TP/2.0\r\n\r\nSM\r\n\r\n");
        assert_eq!(split.head, Head::Http2);
    }
}
