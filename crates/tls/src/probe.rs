//! Async network probes: send one hello, read just enough of the answer, close. Every step is bounded.

use crate::wire::{
    self, Alert, IsEcdhe, Parsed, Progress, Response, ServerFlight, Sslv2ServerHello,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout, timeout_at};

/// What one probe produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A ServerHello (and the rest of the first flight when TLS ≤ 1.2).
    Hello(Box<ServerFlight>),
    /// A TLS alert.
    Alert(Alert),
    /// The server closed the connection without sending a byte (a common way to refuse).
    Closed,
    /// An SSLv2 SERVER-HELLO (only from the SSLv2 probe).
    Sslv2(Sslv2ServerHello),
}

/// Why a probe gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// TCP connect failed.
    #[error("connection failed: {0}")]
    Connect(String),
    /// TCP connect did not finish in time.
    #[error("connection timed out")]
    ConnectTimeout,
    /// The server sent nothing decisive before the read deadline.
    #[error("no answer within the read timeout")]
    ReadTimeout,
    /// The server closed the connection in the middle of a record or flight.
    #[error("connection closed mid-message after {0} bytes")]
    Truncated(usize),
    /// The bytes are not a valid TLS answer.
    #[error("invalid answer: {0}")]
    Wire(#[from] wire::WireError),
    /// Other socket error.
    #[error("socket error: {0}")]
    Io(String),
}

/// Shared probing context: address, limits and the handshake counter.
#[derive(Debug)]
pub struct Prober {
    /// Address to connect to.
    pub addr: SocketAddr,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Deadline for the whole answer after the hello is sent.
    pub read_timeout: Duration,
    /// Limits simultaneous connections.
    pub limit: Arc<Semaphore>,
    /// Number of hellos sent.
    pub handshakes: AtomicU32,
    /// Spaces connections out (a per-host rate limit shared with other traffic), if set.
    pub pacer: Option<Arc<dyn Pacer>>,
}

/// Waits for the next turn to open a connection, so handshakes count against a rate limit.
pub trait Pacer: Send + Sync + std::fmt::Debug {
    /// Resolves when the next connection may be opened.
    fn wait(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>;
}

impl Prober {
    /// Creates a prober with the given limits.
    pub fn new(
        addr: SocketAddr,
        connect_timeout: Duration,
        read_timeout: Duration,
        max_concurrency: usize,
    ) -> Self {
        Prober {
            addr,
            connect_timeout,
            read_timeout,
            limit: Arc::new(Semaphore::new(max_concurrency.max(1))),
            handshakes: AtomicU32::new(0),
            pacer: None,
        }
    }

    /// Opens a TCP connection within the connect timeout.
    pub async fn connect(&self) -> Result<TcpStream, ProbeError> {
        match timeout(self.connect_timeout, TcpStream::connect(self.addr)).await {
            Err(_) => Err(ProbeError::ConnectTimeout),
            Ok(Err(e)) => Err(ProbeError::Connect(e.to_string())),
            Ok(Ok(s)) => {
                // Hellos are single small writes; Nagle would only add latency.
                let _ = s.set_nodelay(true);
                Ok(s)
            }
        }
    }

    /// Sends an SSLv3/TLS ClientHello record and interprets the first flight.
    pub async fn hello(&self, record: &[u8], is_ecdhe: IsEcdhe) -> Result<Outcome, ProbeError> {
        self.exchange(record, |buf| match wire::analyze_response(buf, is_ecdhe)? {
            Progress::NeedMore => Ok(None),
            Progress::Done(Response::Hello(f)) => Ok(Some(Outcome::Hello(f))),
            Progress::Done(Response::Alert(a)) => Ok(Some(Outcome::Alert(a))),
        })
        .await
    }

    /// Sends an SSLv2 CLIENT-HELLO and interprets the reply.
    pub async fn sslv2_hello(&self, record: &[u8]) -> Result<Outcome, ProbeError> {
        self.exchange(record, |buf| {
            // A TLS alert in reply to SSLv2 is a refusal, not an error.
            if let Some(&first) = buf.first()
                && first & 0x80 == 0
            {
                return match wire::parse_record(buf)? {
                    Parsed::Incomplete => Ok(None),
                    Parsed::Done(r, _) if r.content_type == wire::CT_ALERT && r.body.len() >= 2 => {
                        Ok(Some(Outcome::Alert(Alert {
                            level: r.body[0],
                            description: r.body[1],
                        })))
                    }
                    Parsed::Done(..) => {
                        Err(wire::WireError::Malformed("TLS record in reply to SSLv2 hello").into())
                    }
                };
            }
            match wire::parse_sslv2_server_hello(buf)? {
                Parsed::Incomplete => Ok(None),
                Parsed::Done(h, _) => Ok(Some(Outcome::Sslv2(h))),
            }
        })
        .await
    }

    /// Connects, writes `record`, then reads until `decide` returns an outcome, the peer closes, or the deadline passes.
    async fn exchange<F>(&self, record: &[u8], decide: F) -> Result<Outcome, ProbeError>
    where
        F: Fn(&[u8]) -> Result<Option<Outcome>, ProbeError>,
    {
        let _permit = self.permit().await?;
        match self.open(record).await? {
            Some((mut stream, deadline)) => read_until(&mut stream, deadline, decide).await,
            // A server that resets on an unwanted hello has refused it.
            None => Ok(Outcome::Closed),
        }
    }

    /// Connects and writes `record`, counting one handshake; None when the write was reset.
    async fn open(&self, record: &[u8]) -> Result<Option<(TcpStream, Instant)>, ProbeError> {
        let mut stream = self.connect().await?;
        self.handshakes.fetch_add(1, Ordering::Relaxed);
        let deadline = Instant::now() + self.read_timeout;
        match timeout_at(deadline, stream.write_all(record)).await {
            Err(_) => Err(ProbeError::ReadTimeout),
            Ok(Err(_)) => Ok(None),
            Ok(Ok(())) => Ok(Some((stream, deadline))),
        }
    }

    /// Sends a TLS ≤ 1.2 hello and, when the server answers with its first flight, writes the
    /// records `follow` builds from it on the same connection and collects the server's reaction.
    pub async fn hello_then<F>(
        &self,
        record: &[u8],
        is_ecdhe: IsEcdhe,
        follow: F,
    ) -> Result<(Outcome, Option<Reaction>), ProbeError>
    where
        F: Fn(&ServerFlight) -> Vec<u8>,
    {
        let _permit = self.permit().await?;
        let Some((mut stream, deadline)) = self.open(record).await? else {
            return Ok((Outcome::Closed, None));
        };
        let outcome = read_until(&mut stream, deadline, |buf| {
            match wire::analyze_response(buf, is_ecdhe)? {
                Progress::NeedMore => Ok(None),
                Progress::Done(Response::Hello(f)) => Ok(Some(Outcome::Hello(f))),
                Progress::Done(Response::Alert(a)) => Ok(Some(Outcome::Alert(a))),
            }
        })
        .await?;
        let Outcome::Hello(f) = &outcome else {
            return Ok((outcome, None));
        };
        let bytes = follow(f);
        if bytes.is_empty() {
            return Ok((outcome, None));
        }
        let deadline = Instant::now() + self.read_timeout;
        let reaction = match timeout_at(deadline, stream.write_all(&bytes)).await {
            Ok(Ok(())) => read_reaction(&mut stream, deadline).await,
            _ => Reaction {
                closed: true,
                ..Default::default()
            },
        };
        Ok((outcome, Some(reaction)))
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ProbeError> {
        let permit = self
            .limit
            .acquire()
            .await
            .map_err(|e| ProbeError::Io(e.to_string()))?;
        if let Some(p) = &self.pacer {
            p.wait().await;
        }
        Ok(permit)
    }

    /// Waits for a connection slot and the pacer, then connects: for the probes that drive a
    /// whole handshake themselves. Keep the permit while the connection is in use.
    pub async fn connect_paced(
        &self,
    ) -> Result<(tokio::sync::SemaphorePermit<'_>, TcpStream), String> {
        let permit = self
            .permit()
            .await
            .map_err(|e| format!("connection limit: {e}"))?;
        let tcp = self.connect().await.map_err(|e| e.to_string())?;
        Ok((permit, tcp))
    }

    /// Hellos sent so far.
    pub fn count(&self) -> u32 {
        self.handshakes.load(Ordering::Relaxed)
    }
}

/// Reads until `decide` returns an outcome, the peer closes, or the deadline passes.
async fn read_until<F>(
    stream: &mut TcpStream,
    deadline: Instant,
    decide: F,
) -> Result<Outcome, ProbeError>
where
    F: Fn(&[u8]) -> Result<Option<Outcome>, ProbeError>,
{
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 16384];
    loop {
        let n = match timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => return Err(ProbeError::ReadTimeout),
            Ok(Err(e)) if buf.is_empty() => {
                // Connection reset before any answer is how many stacks say "no".
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                ) {
                    return Ok(Outcome::Closed);
                }
                return Err(ProbeError::Io(e.to_string()));
            }
            Ok(Err(_)) => return Err(ProbeError::Truncated(buf.len())),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            return if buf.is_empty() {
                Ok(Outcome::Closed)
            } else {
                Err(ProbeError::Truncated(buf.len()))
            };
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(out) = decide(&buf)? {
            return Ok(out);
        }
    }
}

/// What a server did after its first flight when sent the follow-up records of a vulnerability probe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reaction {
    /// Bytes of heartbeat records received (bodies only); the bytes themselves are not kept.
    pub heartbeat_bytes: usize,
    /// The first alert received.
    pub alert: Option<Alert>,
    /// The server closed the connection.
    pub closed: bool,
    /// Nothing decisive arrived before the deadline.
    pub timed_out: bool,
}

/// Most bytes read after the follow-up: enough for an over-read of the size the probe asks for.
const MAX_REACTION: usize = 64 * 1024;

/// Reads records after a follow-up until an alert, the peer closing, the deadline or the byte cap.
async fn read_reaction(stream: &mut TcpStream, deadline: Instant) -> Reaction {
    let mut r = Reaction::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        // Count whole records and drop them, so leaked memory never stays in the buffer.
        while let Ok(wire::Parsed::Done(rec, used)) = wire::parse_record(&buf) {
            match rec.content_type {
                wire::CT_HEARTBEAT => r.heartbeat_bytes += rec.body.len(),
                wire::CT_ALERT if rec.body.len() >= 2 => {
                    r.alert = Some(Alert {
                        level: rec.body[0],
                        description: rec.body[1],
                    });
                    return r;
                }
                _ => {}
            }
            buf.drain(..used);
        }
        if r.heartbeat_bytes + buf.len() > MAX_REACTION {
            return r;
        }
        match timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => {
                r.timed_out = true;
                return r;
            }
            Ok(Ok(0)) | Ok(Err(_)) => {
                r.closed = true;
                return r;
            }
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}
