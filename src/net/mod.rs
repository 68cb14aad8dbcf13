//! The one HTTP client every check uses: scope guard, rate limit, timeouts, body cap, evidence.

pub mod evidence;
pub mod mask;
pub mod raw;
pub mod scope;

pub use evidence::Evidence;
pub use scope::Scope;

use crate::config::NetConfig;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};
use url::Url;

/// The User-Agent every request carries: honest about who is scanning.
pub const USER_AGENT: &str = concat!(
    "Kawal/",
    env!("CARGO_PKG_VERSION"),
    " (evaluasi keamanan aplikasi SPBE; security evaluation)"
);

/// Timeouts from one host, with fewer than as many answers since the first of them, after which
/// the host counts as not answering: later requests to it fail at once instead of each waiting
/// out its timeout. A tarpit behind a working front page would otherwise hold an evaluation for
/// hours, and a strict "in a row" count never trips there: the front page keeps answering
/// between the timeouts that arrive together from concurrent requests.
pub const SILENT_AFTER: usize = 4;

/// The timeout phase reported for requests refused because the host stopped answering.
const HOST_SILENT: &str = "host stopped answering: earlier requests timed out";

/// A request could not be completed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NetError {
    /// The URL is outside the application's registered scope.
    #[error("{url} di luar cakupan aplikasi / is outside the application's scope")]
    OutOfScope {
        /// Refused URL.
        url: String,
    },
    /// No TCP connection could be made (DNS, refused, unreachable).
    #[error("tidak dapat terhubung ke / cannot connect to {url}: {detail}")]
    Connect {
        /// Target URL.
        url: String,
        /// Cause.
        detail: String,
    },
    /// The TLS handshake failed, usually an untrusted or invalid certificate.
    #[error(
        "TLS gagal / TLS failed for {url}: {detail} (sertifikat tidak sah? gunakan --insecure untuk tetap memindai, atau --ca-bundle untuk CA internal / invalid certificate? use --insecure to scan anyway, or --ca-bundle for an internal CA)"
    )]
    Tls {
        /// Target URL.
        url: String,
        /// Cause.
        detail: String,
    },
    /// A timeout expired.
    #[error("batas waktu habis / timed out ({phase}) for {url}")]
    Timeout {
        /// Target URL.
        url: String,
        /// Which timeout.
        phase: &'static str,
    },
    /// The peer reset or closed the connection mid-exchange.
    #[error("koneksi diputus oleh server / connection reset by the server at {url}: {detail}")]
    Reset {
        /// Target URL.
        url: String,
        /// Cause.
        detail: String,
    },
    /// Too many redirects within scope.
    #[error("terlalu banyak pengalihan / too many redirects (>{max}) from {url}")]
    TooManyRedirects {
        /// Start URL.
        url: String,
        /// Limit.
        max: usize,
    },
    /// Any other protocol error.
    #[error("kesalahan HTTP / HTTP error at {url}: {detail}")]
    Http {
        /// Target URL.
        url: String,
        /// Cause.
        detail: String,
    },
}

impl NetError {
    /// Whether the target could not be reached at all (as opposed to a bad answer).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            NetError::Connect { .. }
                | NetError::Tls { .. }
                | NetError::Timeout { .. }
                | NetError::Reset { .. }
        )
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// Method.
    pub method: reqwest::Method,
    /// URL.
    pub url: Url,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Option<Vec<u8>>,
    /// Follow in-scope redirects.
    pub follow_redirects: bool,
}

impl Request {
    /// A GET that follows in-scope redirects.
    pub fn get(url: Url) -> Request {
        Request {
            method: reqwest::Method::GET,
            url,
            headers: Vec::new(),
            body: None,
            follow_redirects: true,
        }
    }
}

/// One HTTP response with its body (capped).
#[derive(Debug, Clone)]
pub struct Response {
    /// Method that produced it.
    pub method: String,
    /// URL requested.
    pub url: Url,
    /// Status code.
    pub status: u16,
    /// Headers in wire order, names lowercase.
    pub headers: Vec<(String, String)>,
    /// Body, decompressed, at most the cap.
    pub body: Vec<u8>,
    /// Whether the body was cut at the cap.
    pub truncated: bool,
    /// Time to the end of the body.
    pub elapsed: Duration,
}

impl Response {
    /// First value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of a header.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Redacted evidence for this response.
    pub fn evidence(&self, note: Option<String>) -> Evidence {
        Evidence {
            method: self.method.clone(),
            url: self.url.to_string(),
            status: Some(self.status),
            request_headers: Vec::new(),
            response_headers: self
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), evidence::redact_response_header(n, v)))
                .collect(),
            body_excerpt: evidence::excerpt(&self.body),
            truncated: self.truncated,
            note,
            masked: None,
        }
    }
}

/// A request with the redirects it went through.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Redirect responses before the final one, in order.
    pub hops: Vec<Response>,
    /// The final response.
    pub response: Response,
    /// A redirect target that was outside scope and therefore not followed.
    pub blocked_redirect: Option<String>,
}

impl Exchange {
    /// Every response, redirects first.
    pub fn all(&self) -> impl Iterator<Item = &Response> {
        self.hops.iter().chain(std::iter::once(&self.response))
    }
}

/// Shared HTTP client with scope, politeness and safety limits.
pub struct HttpClient {
    client: reqwest::Client,
    scope: Scope,
    cfg: NetConfig,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
    permits: Semaphore,
    sent: AtomicU64,
    /// Timeouts per host (`host:port`), the answers since the first of them, requests in flight.
    silence: Mutex<HashMap<String, Silence>>,
    /// Woken whenever a request settles, for requests held back by [`HttpClient::admit`].
    settled: Notify,
}

impl HttpClient {
    /// Builds a client for one application's scope.
    pub fn new(cfg: NetConfig, scope: Scope) -> Result<HttpClient, NetError> {
        let builder_err = |detail: String| NetError::Http {
            url: "-".into(),
            detail,
        };
        let mut b = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            .timeout(cfg.total_timeout)
            .no_proxy()
            .http1_only()
            .pool_max_idle_per_host(cfg.concurrency)
            .tls_danger_accept_invalid_certs(cfg.insecure);
        for (host, ip) in &cfg.resolve {
            b = b.resolve(host, std::net::SocketAddr::new(*ip, 0));
        }
        if let Some(pem) = &cfg.extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                builder_err(format!("CA bundle tidak sah / invalid CA bundle: {e}"))
            })?;
            b = b.tls_certs_merge(certs);
        }
        let client = b.build().map_err(|e| builder_err(e.to_string()))?;
        Ok(HttpClient {
            client,
            scope,
            permits: Semaphore::new(cfg.concurrency),
            cfg,
            limiters: Mutex::new(HashMap::new()),
            sent: AtomicU64::new(0),
            silence: Mutex::new(HashMap::new()),
            settled: Notify::new(),
        })
    }

    /// The scope this client enforces.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The network settings in force.
    pub fn config(&self) -> &NetConfig {
        &self.cfg
    }

    /// Requests sent so far (redirect hops included).
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends a request, following redirects only while they stay in scope.
    pub async fn send(&self, req: Request) -> Result<Exchange, NetError> {
        let start_url = req.url.to_string();
        let mut current = req;
        let mut hops = Vec::new();
        loop {
            let resp = self.send_one(&current).await?;
            let location = if (300..400).contains(&resp.status) && current.follow_redirects {
                resp.header("location")
                    .and_then(|l| resp.url.join(l.trim()).ok())
            } else {
                None
            };
            let Some(next) = location else {
                return Ok(Exchange {
                    hops,
                    response: resp,
                    blocked_redirect: None,
                });
            };
            if !self.scope.allows(&next) {
                return Ok(Exchange {
                    hops,
                    response: resp,
                    blocked_redirect: Some(next.to_string()),
                });
            }
            if hops.len() >= self.cfg.max_redirects {
                return Err(NetError::TooManyRedirects {
                    url: start_url,
                    max: self.cfg.max_redirects,
                });
            }
            // 301/302/303 turn into GET without a body, as browsers do.
            if matches!(resp.status, 301..=303) {
                current.method = reqwest::Method::GET;
                current.body = None;
            }
            current.url = next;
            hops.push(resp);
        }
    }

    /// GET with redirects.
    pub async fn get(&self, url: &Url) -> Result<Exchange, NetError> {
        self.send(Request::get(url.clone())).await
    }

    async fn wait_turn(&self, url: &Url) {
        if let Some(limiter) = self.limiter(url.host_str().unwrap_or("")) {
            limiter.until_ready().await;
        }
    }

    /// The per-host rate limiter (None when the rate is unlimited).
    fn limiter(&self, host: &str) -> Option<Arc<DefaultDirectRateLimiter>> {
        if self.cfg.rate_limit <= 0.0 {
            return None;
        }
        let mut map = self
            .limiters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Some(
            map.entry(host.trim_matches(['[', ']']).to_ascii_lowercase())
                .or_insert_with(|| Arc::new(per_host_limiter(self.cfg.rate_limit)))
                .clone(),
        )
    }

    /// A pacer that makes raw TLS handshakes to `host` count against this client's per-host rate.
    pub fn tls_pacer(&self, host: &str) -> Option<Arc<dyn kawal_tls::Pacer>> {
        self.limiter(host)
            .map(|l| Arc::new(HostPacer(l)) as Arc<dyn kawal_tls::Pacer>)
    }

    async fn send_one(&self, req: &Request) -> Result<Response, NetError> {
        let url_s = req.url.to_string();
        if !self.scope.allows(&req.url) {
            return Err(NetError::OutOfScope { url: url_s });
        }
        self.send_counted(req, &url_s, &silence_key(&req.url)).await
    }

    /// Lets a request to `host` go, under the silent-host rule. Once the host has timed out and
    /// before it has shown it is serving again, a request waits until the ones already in
    /// flight have settled: concurrent requests to a tarpit time out together, and the ones
    /// queued behind them must see every one of those timeouts, not slip out between them.
    async fn admit<'a>(&'a self, host: &'a str, url: &str) -> Result<Admitted<'a>, NetError> {
        loop {
            let settled = self.settled.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            {
                let mut m = self.silence_map();
                let s = m.entry(host.to_string()).or_default();
                if s.timeouts >= SILENT_AFTER {
                    return Err(NetError::Timeout {
                        url: url.to_string(),
                        phase: HOST_SILENT,
                    });
                }
                if s.timeouts == 0 || s.in_flight == 0 {
                    s.in_flight += 1;
                    return Ok(Admitted {
                        client: self,
                        host,
                        timed_out: None,
                    });
                }
            }
            settled.await;
        }
    }

    /// Records how an admitted request to `host` ended (`None`: abandoned, no verdict).
    fn settle(&self, host: &str, timed_out: Option<bool>) {
        {
            let mut m = self.silence_map();
            let s = m.entry(host.to_string()).or_default();
            s.in_flight = s.in_flight.saturating_sub(1);
            if let Some(t) = timed_out {
                s.record(t);
            }
        }
        self.settled.notify_waiters();
    }

    fn silence_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Silence>> {
        self.silence
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn send_counted(
        &self,
        req: &Request,
        url_s: &str,
        host: &str,
    ) -> Result<Response, NetError> {
        let url_s = url_s.to_string();
        let _permit = self.permits.acquire().await.map_err(|e| NetError::Http {
            url: url_s.clone(),
            detail: e.to_string(),
        })?;
        self.wait_turn(&req.url).await;
        // Checked, and the outcome recorded, while the permit is held: requests queued behind
        // the ones that timed out would otherwise each wait a full timeout of their own against
        // a host already known to be silent.
        let admitted = self.admit(host, &url_s).await?;
        let r = self.fetch_capped(req, &url_s).await;
        admitted.settle(&r);
        r
    }

    /// One request and its capped body, without redirects.
    async fn fetch_capped(&self, req: &Request, url_s: &str) -> Result<Response, NetError> {
        let url_s = url_s.to_string();
        self.sent.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let mut rb = self.client.request(req.method.clone(), req.url.clone());
        for (n, v) in &req.headers {
            rb = rb.header(n.as_str(), v.as_str());
        }
        if let Some(body) = &req.body {
            rb = rb.body(body.clone());
        }
        let mut resp = rb.send().await.map_err(|e| classify(&url_s, &e))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = resp.chunk().await.map_err(|e| classify(&url_s, &e))? {
            let room = self.cfg.body_cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            method: req.method.to_string(),
            url: req.url.clone(),
            status,
            headers,
            body,
            truncated,
            elapsed: started.elapsed(),
        })
    }
}

/// The key the silent-host rule counts under: `host:port`.
fn silence_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Timeouts from one host and the answers that came since the first of them.
#[derive(Debug, Default)]
struct Silence {
    timeouts: usize,
    answers: usize,
    in_flight: usize,
}

impl Silence {
    /// Records one outcome. As many answers as [`SILENT_AFTER`] since the timeouts began show
    /// the host is serving after all, and the count starts over; fewer leave it standing.
    fn record(&mut self, timed_out: bool) {
        if timed_out {
            self.timeouts += 1;
        } else if self.timeouts > 0 && self.timeouts < SILENT_AFTER {
            self.answers += 1;
            if self.answers >= SILENT_AFTER {
                (self.timeouts, self.answers) = (0, 0);
            }
        }
    }
}

/// A request let through by [`HttpClient::admit`]. Its place is freed when it is dropped, also
/// unsettled (a cancelled request), so the requests held back behind it are never stranded.
struct Admitted<'a> {
    client: &'a HttpClient,
    host: &'a str,
    /// Whether it timed out; None until settled.
    timed_out: Option<bool>,
}

impl Admitted<'_> {
    /// Records the request's outcome (on drop).
    fn settle<T>(mut self, r: &Result<T, NetError>) {
        self.timed_out = Some(matches!(r, Err(NetError::Timeout { .. })));
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.client.settle(self.host, self.timed_out);
    }
}

/// Spaces TLS handshakes with a per-host rate limiter (shared with HTTP requests in an evaluation).
pub struct HostPacer(Arc<DefaultDirectRateLimiter>);

impl HostPacer {
    /// A pacer with its own limiter, for a TLS scan outside an evaluation (None when unlimited).
    pub fn standalone(rate: f64) -> Option<Arc<dyn kawal_tls::Pacer>> {
        (rate > 0.0).then(|| {
            Arc::new(HostPacer(Arc::new(per_host_limiter(rate)))) as Arc<dyn kawal_tls::Pacer>
        })
    }
}

impl std::fmt::Debug for HostPacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostPacer")
    }
}

impl kawal_tls::Pacer for HostPacer {
    fn wait(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(self.0.until_ready())
    }
}

/// A limiter that allows one request per `1/rate` seconds with no burst, so the rate holds.
fn per_host_limiter(rate: f64) -> DefaultDirectRateLimiter {
    let period = Duration::from_secs_f64(1.0 / rate).max(Duration::from_nanos(1));
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    RateLimiter::direct(quota)
}

/// The rustls error somewhere in an error's source chain (io::Error hides it behind `get_ref`,
/// sometimes nested twice).
pub fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(r) = s.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        src = match s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => s.source(),
        };
    }
    None
}

/// Maps a reqwest error onto what a user can act on.
fn classify(url: &str, e: &reqwest::Error) -> NetError {
    let mut chain = Vec::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let detail = chain.last().cloned().unwrap_or_else(|| e.to_string());
    let all = chain.join(": ").to_ascii_lowercase();
    let url = url.to_string();
    if e.is_timeout() || all.contains("timed out") {
        let phase = if e.is_connect() {
            "connect"
        } else {
            "read/total"
        };
        return NetError::Timeout { url, phase };
    }
    if let Some(tls) = rustls_error(e) {
        // A sentence in both languages instead of the verifier's debug structure.
        let detail = kawal_tls::certerr::explain(tls).both();
        return NetError::Tls { url, detail };
    }
    if all.contains("certificate") || all.contains("tls handshake") || all.contains("invalid peer")
    {
        return NetError::Tls { url, detail };
    }
    if all.contains("reset")
        || all.contains("connection closed")
        || all.contains("incomplete")
        || all.contains("broken pipe")
        || all.contains("unexpected eof")
    {
        return NetError::Reset { url, detail };
    }
    if e.is_connect() {
        return NetError::Connect { url, detail };
    }
    NetError::Http { url, detail }
}
