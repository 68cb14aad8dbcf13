//! Session-token randomness (BSSN K10; ASVS 4.0.3 V3.2.2, 5.0 V7.2.3): fresh-session tokens are
//! collected from the application, one request per token, and judged by `kawal_entropy`.

use super::setcookie::{SetCookie, httpdate_to_unix, session_reason};
use super::{Check, CheckError, Context, Observation};
use crate::i18n::Text;
use crate::model::Outcome;
use crate::net::{HttpClient, NetError};
use futures_util::future::BoxFuture;
use kawal_entropy::{Analysis, FormatKind, Options, Token, Verdict};
use serde_json::json;
use url::Url;

const ITEMS: &[&str] = &[
    "session.token.entropy",
    "session.token.construction",
    "session.token.jwt",
];

/// Tokens in the first look: a counter, a timestamp or a hash of one shows in this many, so a
/// clearly predictable generator is reported without putting more load on the application.
const FIRST_LOOK: usize = 30;
/// Tokens in the second look (the analyser's minimum for statistics).
const SECOND_LOOK: usize = 100;
/// Most logins at once for token samples after the second look.
const MAX_PARALLEL_LOGINS: usize = 8;
/// Consecutive responses without the cookie after which collection gives up.
const MAX_MISSES: u32 = 20;

/// Codes of findings that come from statistics over the sample rather than from structure.
const STATISTICAL_FAILS: &[&str] = &["low_capacity", "low_effective_entropy"];

/// Why tokens could not be collected.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A request failed.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The application stopped issuing (or never issued) the session cookie.
    #[error(
        "tidak ada cookie sesi yang diterbitkan oleh {url} ({misses}x) / no session cookie was issued by {url} ({misses}x)"
    )]
    NoCookie {
        /// URL requested.
        url: String,
        /// Responses without the cookie.
        misses: u32,
    },
}

/// Why a sample could not be completed, whatever its source.
#[derive(Debug, thiserror::Error)]
enum SampleError {
    #[error(transparent)]
    Collect(#[from] CollectError),
    #[error(transparent)]
    Login(#[from] super::login_tokens::LoginSampleError),
}

/// Where fresh tokens come from: anonymous requests, or logins of a role.
enum Source {
    Fresh(Collector),
    Logins(Box<super::login_tokens::LoginCollector>),
}

impl Source {
    async fn fill(
        &mut self,
        http: &HttpClient,
        tokens: &mut Vec<Token>,
        target: usize,
    ) -> Result<(), SampleError> {
        match self {
            Source::Fresh(c) => Ok(c.fill(http, tokens, target, &|_| {}).await?),
            Source::Logins(c) => Ok(c.fill(http, tokens, target).await?),
        }
    }

    fn url(&self) -> Url {
        match self {
            Source::Fresh(c) => c.url.clone(),
            Source::Logins(c) => c.source(),
        }
    }

    fn cookie(&self) -> String {
        match self {
            Source::Fresh(c) => c.cookie.clone(),
            Source::Logins(c) => c.cookie.clone(),
        }
        .unwrap_or_else(|| "?".into())
    }

    /// Who supplied the tokens, for the figures.
    fn by(&self) -> serde_json::Value {
        match self {
            Source::Fresh(_) => json!({"kind": "fresh_requests"}),
            Source::Logins(c) => {
                json!({"kind": "repeated_logins", "role": c.role.name, "logins": c.logins})
            }
        }
    }
}

/// Collects fresh-session tokens from one URL: one request per token, no cookie sent back.
pub struct Collector {
    /// URL whose response issues the session cookie.
    pub url: Url,
    /// Cookie name; detected from the first response with a session cookie when `None`.
    pub cookie: Option<String>,
    misses: u32,
}

impl Collector {
    /// A collector for `url`, with the cookie name if known.
    pub fn new(url: Url, cookie: Option<String>) -> Collector {
        Collector {
            url,
            cookie,
            misses: 0,
        }
    }

    /// Requests fresh sessions until `tokens` holds `target` tokens; `progress` sees the count.
    pub async fn fill(
        &mut self,
        http: &HttpClient,
        tokens: &mut Vec<Token>,
        target: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(), CollectError> {
        while tokens.len() < target {
            // The client keeps no cookies, so every request starts a new session.
            let ex = http.get(&self.url).await?;
            let captured = time::OffsetDateTime::now_utc();
            let date = ex.response.header("date").and_then(httpdate_to_unix);
            let cookies: Vec<SetCookie> = ex
                .all()
                .flat_map(|r| r.headers_named("set-cookie"))
                .filter_map(SetCookie::parse)
                .filter(|c| !c.is_deletion())
                .collect();
            if self.cookie.is_none() {
                self.cookie = cookies
                    .iter()
                    .find(|c| session_reason(c).is_some())
                    .map(|c| c.name.clone());
            }
            match self
                .cookie
                .as_deref()
                .and_then(|n| cookies.iter().find(|c| c.name == n))
            {
                Some(c) => {
                    tokens.push(Token {
                        value: c.value.clone(),
                        captured_at_ms: Some((captured.unix_timestamp_nanos() / 1_000_000) as i64),
                        date_header_s: date,
                    });
                    progress(tokens.len());
                }
                None => {
                    self.misses += 1;
                    // A site that stops issuing tokens (or never did) must not loop forever.
                    if self.misses >= MAX_MISSES && tokens.len() < self.misses as usize {
                        return Err(CollectError::NoCookie {
                            url: self.url.to_string(),
                            misses: self.misses,
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// Tokens of a token file: one per line, blank lines ignored (the `kawal entropy FILE` path).
pub fn read_tokens(text: &str) -> Vec<Token> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            // A tab never occurs in a cookie value, so it separates the optional timing columns.
            let mut cols = l.split('\t');
            let value = cols.next().unwrap_or_default();
            let captured_at_ms = cols.next().and_then(|c| c.trim().parse().ok());
            let date_header_s = cols.next().and_then(|c| c.trim().parse().ok());
            Token {
                value: value.to_string(),
                captured_at_ms,
                date_header_s,
            }
        })
        .collect()
}

/// Writes tokens one per line as `token<TAB>capture time (Unix ms)<TAB>Date header (Unix s)`,
/// empty columns where unknown; [`read_tokens`] reads it back.
pub fn format_tokens(tokens: &[Token]) -> String {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    tokens
        .iter()
        .map(|t| {
            format!(
                "{}\t{}\t{}\n",
                t.value,
                opt(t.captured_at_ms),
                opt(t.date_header_s)
            )
        })
        .collect()
}

/// Collects `samples` tokens from `url` in one go (the `kawal entropy URL` path).
pub async fn collect(
    http: &HttpClient,
    url: &Url,
    cookie: Option<String>,
    samples: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Token>, CollectError> {
    let mut c = Collector::new(url.clone(), cookie);
    let mut tokens = Vec::with_capacity(samples);
    c.fill(http, &mut tokens, samples, progress).await?;
    Ok(tokens)
}

/// Collects and judges session tokens.
pub struct SessionEntropyCheck;

impl Check for SessionEntropyCheck {
    fn name(&self) -> &'static str {
        "session-entropy"
    }

    fn items(&self) -> &'static [&'static str] {
        ITEMS
    }

    fn run<'a>(&'a self, ctx: &'a Context) -> BoxFuture<'a, Result<Vec<Observation>, CheckError>> {
        Box::pin(async move {
            let wanted = ctx.options.session_cookie.clone();
            let mut samples = (ctx.options.session_samples as usize).max(FIRST_LOOK);
            // Held for the whole collection: repeated logins may end other sessions of the role.
            let mut _exclusive = None;
            let mut collector = match token_source(ctx, wanted.as_deref()).await? {
                Some((source, name)) => Source::Fresh(Collector::new(source, Some(name))),
                // The id is issued only at login: sample it by logging a role in repeatedly.
                None => match super::session_role::sampling_role(&ctx.options) {
                    Some(role) => {
                        _exclusive = ctx.exclusive_logins().await;
                        let budget = ctx.options.login_samples;
                        samples = samples
                            .min(budget as usize)
                            .max(FIRST_LOOK.min(budget as usize));
                        let mut c = super::login_tokens::LoginCollector::new(
                            role.clone(),
                            ctx.target.clone(),
                            wanted.clone(),
                            budget,
                        );
                        // The looks that decide on structure see the issue order.
                        c.sequential = SECOND_LOOK;
                        c.parallel = ctx.http.config().concurrency.clamp(1, MAX_PARALLEL_LOGINS);
                        Source::Logins(Box::new(c))
                    }
                    None => {
                        return Ok(all_inconclusive(
                            Text::new(
                                "Tidak ada cookie sesi yang diterbitkan pada halaman awal maupun halaman login, dan tidak ada peran terdaftar (login formulir atau JSON, [session] login_samples > 0) untuk mengambil sampel token lewat login berulang; sebutkan namanya dengan [session] cookie bila aplikasi memakainya.",
                                "No session cookie is issued on the landing or login page, and no registered role (form or JSON login, [session] login_samples > 0) can supply token samples by repeated logins; name the cookie with [session] cookie if the application uses one.",
                            ),
                            json!({"cookie": wanted}),
                        ));
                    }
                },
            };
            let mut tokens = Vec::with_capacity(samples);
            let mut analysis = None;
            // Staged: stop as soon as the structure alone decides, to spare the application.
            for stage in [FIRST_LOOK, SECOND_LOOK, samples] {
                let stage = stage.min(samples);
                if stage <= tokens.len() {
                    continue;
                }
                if let Err(e) = collector.fill(&ctx.http, &mut tokens, stage).await {
                    return Ok(collect_failed(
                        &e,
                        &collector.url(),
                        &collector.cookie(),
                        tokens.len(),
                    ));
                }
                let opts = Options {
                    cookie_name: Some(collector.cookie()),
                    ..Options::default()
                };
                match kawal_entropy::analyse(&tokens, &opts) {
                    Ok(a) => {
                        let done = structural(&a);
                        analysis = Some(a);
                        if done {
                            break;
                        }
                    }
                    Err(e) => {
                        let (url, name) = (collector.url(), collector.cookie());
                        return Ok(analysis_failed(&e, &url, &name, tokens.len()));
                    }
                }
            }
            let Some(first) = analysis else {
                return Err(CheckError::Unusable("no analysis".into()));
            };
            // A purely statistical rejection must repeat on a fresh sample before it is reported,
            // so a sound generator is not failed by the test's own false-alarm rate.
            let mut confirmation = None;
            if needs_confirmation(&first) {
                let mut again = Vec::with_capacity(tokens.len());
                let want = tokens.len();
                if let Source::Logins(c) = &mut collector {
                    // The confirming sample has its own bound of the same size.
                    c.budget = want as u32;
                }
                let opts = Options {
                    cookie_name: Some(collector.cookie()),
                    ..Options::default()
                };
                match collector.fill(&ctx.http, &mut again, want).await {
                    Ok(()) if again.len() == want => {
                        if let Ok(b) = kawal_entropy::analyse(&again, &opts) {
                            confirmation = Some(b);
                        }
                    }
                    Ok(()) => {}
                    Err(e) => {
                        let (url, name) = (collector.url(), collector.cookie());
                        return Ok(collect_failed(&e, &url, &name, tokens.len()));
                    }
                }
            }
            let (decisive, confirmed_by) = match confirmation {
                Some(b) if b.verdict == Verdict::Pass => (b, Some(first)),
                Some(b) => (first, Some(b)),
                None => (first, None),
            };
            let (url, name) = (collector.url(), collector.cookie());
            let mut out = judge(&decisive, confirmed_by.as_ref(), &url, &name);
            for o in &mut out {
                if let serde_json::Value::Object(m) = &mut o.figures {
                    m.insert("collected_by".into(), collector.by());
                }
            }
            Ok(out)
        })
    }
}

/// Where the session cookie is issued: the landing page, else its login page.
async fn token_source(
    ctx: &Context,
    wanted: Option<&str>,
) -> Result<Option<(Url, String)>, CheckError> {
    let landing = ctx.landing().await?;
    if let Some(name) = session_cookie_in(landing.all(), wanted) {
        return Ok(Some((ctx.target.clone(), name)));
    }
    let login = ctx
        .options
        .login
        .as_ref()
        .map(|r| r.url.clone())
        .or_else(|| super::cookies::login_link(&landing.response));
    if let Some(login) = login.filter(|u| ctx.http.scope().allows(u))
        && let Ok(ex) = ctx.http.get(&login).await
        && let Some(name) = session_cookie_in(ex.all(), wanted)
    {
        return Ok(Some((login, name)));
    }
    Ok(None)
}

/// The name of the session cookie set by these responses (`wanted`, or the inferred one).
fn session_cookie_in<'a>(
    responses: impl Iterator<Item = &'a crate::net::Response>,
    wanted: Option<&str>,
) -> Option<String> {
    responses
        .flat_map(|r| r.headers_named("set-cookie"))
        .filter_map(SetCookie::parse)
        .filter(|c| !c.is_deletion())
        .find(|c| match wanted {
            Some(w) => c.name == w,
            None => session_reason(c).is_some(),
        })
        .map(|c| c.name)
}

/// Whether a structural finding (counter, timestamp, PRNG, hash of a counter …) decides the verdict.
pub fn structural(a: &Analysis) -> bool {
    a.verdict == Verdict::Fail
        && a.reasons.iter().any(|r| {
            r.severity == kawal_entropy::Severity::Fail
                && !STATISTICAL_FAILS.contains(&r.code.as_str())
        })
}

/// Whether the verdict rests only on statistical rejections that a fresh sample should confirm.
pub fn needs_confirmation(a: &Analysis) -> bool {
    let statistical = match a.verdict {
        Verdict::MeetsAsvs4Only => true,
        Verdict::Fail => !structural(a) && a.capacity_bits >= 64.0,
        _ => false,
    };
    statistical && a.sample_size >= Options::default().min_samples_for_pass
}

/// Reason codes that name a predictable construction.
fn construction_reasons(a: &Analysis) -> Vec<&kawal_entropy::Reason> {
    a.reasons
        .iter()
        .filter(|r| {
            r.severity == kawal_entropy::Severity::Fail
                && !STATISTICAL_FAILS.contains(&r.code.as_str())
        })
        .collect()
}

/// Turns an analysis into one observation per item (pure).
pub fn judge(
    a: &Analysis,
    other: Option<&Analysis>,
    source: &Url,
    cookie: &str,
) -> Vec<Observation> {
    let codes: Vec<&str> = a.reasons.iter().map(|r| r.code.as_str()).collect();
    let mut figures = json!({
        "cookie": cookie,
        "source": source.as_str(),
        "sample_size": a.sample_size,
        "excluded_tokens": a.excluded_tokens,
        "format": a.format.description,
        "capacity_bits": round1(a.capacity_bits),
        "effective_bits": round1(a.effective_bits),
        "min_entropy_bits": round1(a.min_entropy_bits),
        "significance": a.significance,
        "verdict": a.verdict,
        "meets_asvs_4_0_3": a.meets_asvs_4_0_3,
        "meets_asvs_5_0": a.meets_asvs_5_0,
        "reason_codes": codes,
        "construction": a.construction.iter().map(|c| json!({
            "code": c.code,
            "construction": c.construction,
            "evidence": c.evidence,
            "evidence_id": c.evidence_id,
            "recovered": c.recovered,
            "predicted_next": c.predicted_next,
            "verified": c.verified,
        })).collect::<Vec<_>>(),
    });
    if let Some(o) = other {
        figures["other_sample"] = json!({
            "sample_size": o.sample_size,
            "verdict": o.verdict,
            "effective_bits": round1(o.effective_bits),
            "reason_codes": o.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        });
    }
    let at = format!("cookie:{cookie}");
    let obs = |item: &str, outcome: Outcome, summary: Text| {
        Observation::new(item, outcome, summary)
            .at(at.clone())
            .with_figures(figures.clone())
    };
    let reasons_text = |lang_id: bool| -> String {
        a.reasons
            .iter()
            .filter(|r| r.severity != kawal_entropy::Severity::Info)
            .map(|r| {
                if lang_id {
                    r.message_id.as_str()
                } else {
                    r.message_en.as_str()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let n = a.sample_size;
    let eff = round1(a.effective_bits);
    let cap = round1(a.capacity_bits);
    let jwt = a.format.kind == FormatKind::Jwt;
    let constructions = construction_reasons(a);
    let mut out = Vec::new();

    // session.token.construction
    if !constructions.is_empty() {
        let names: Vec<&str> = constructions.iter().map(|r| r.code.as_str()).collect();
        let id: Vec<&str> = constructions
            .iter()
            .map(|r| r.message_id.as_str())
            .collect();
        let en: Vec<&str> = constructions
            .iter()
            .map(|r| r.message_en.as_str())
            .collect();
        out.push(obs(
            "session.token.construction",
            Outcome::Fail,
            Text::new(
                format!(
                    "Token sesi {cookie} disusun secara dapat ditebak ({}) berdasarkan {n} token: {}",
                    names.join(", "),
                    id.join(" ")
                ),
                format!(
                    "Session token {cookie} is predictably constructed ({}) from {n} tokens: {}",
                    names.join(", "),
                    en.join(" ")
                ),
            ),
        ));
    } else if jwt {
        let why = Text::new(
            "Token sesi berupa JWT bertanda tangan; susunan token mandiri dinilai pada butir session.token.jwt.",
            "The session token is a signed JWT; a self-contained token's construction is judged under session.token.jwt.",
        );
        out.push(obs(
            "session.token.construction",
            Outcome::NotApplicable {
                reason: why.clone(),
            },
            why,
        ));
    } else if n >= Options::default().min_samples {
        out.push(obs(
            "session.token.construction",
            Outcome::Pass,
            Text::new(
                format!(
                    "Tidak ditemukan penghitung, stempel waktu, PRNG lemah atau hash dari nilai-nilai tersebut pada {n} token sesi {cookie}."
                ),
                format!(
                    "No counter, timestamp, weak PRNG or hash of such values was found in {n} tokens of session cookie {cookie}."
                ),
            ),
        ));
    } else {
        let why = Text::new(
            format!("Hanya {n} token yang terkumpul; pemeriksaan susunan memerlukan minimal 100."),
            format!("Only {n} tokens were collected; the construction checks need at least 100."),
        );
        out.push(obs(
            "session.token.construction",
            Outcome::Inconclusive {
                reason: why.clone(),
            },
            why,
        ));
    }

    // session.token.entropy
    match a.verdict {
        Verdict::Pass => out.push(obs(
            "session.token.entropy",
            Outcome::Pass,
            Text::new(
                format!(
                    "Token sesi {cookie} konsisten dengan ≥ 128 bit entropi (ASVS 5.0): {eff} bit efektif dari kapasitas {cap} bit, {n} token."
                ),
                format!(
                    "Session token {cookie} is consistent with ≥ 128 bits of entropy (ASVS 5.0): {eff} effective of {cap} bits capacity, {n} tokens."
                ),
            ),
        )),
        Verdict::MeetsAsvs4Only => out.push(obs(
            "session.token.entropy",
            Outcome::Fail,
            Text::new(
                format!(
                    "Token sesi {cookie} memenuhi ASVS 4.0.3 (≥ 64 bit) tetapi belum ASVS 5.0 (≥ 128 bit): {eff} bit efektif dari kapasitas {cap} bit, {n} token. {}",
                    reasons_text(true)
                ),
                format!(
                    "Session token {cookie} meets ASVS 4.0.3 (≥64) but not 5.0 (≥128): {eff} effective of {cap} bits capacity, {n} tokens. {}",
                    reasons_text(false)
                ),
            ),
        )),
        Verdict::Fail => {
            let (id, en) = if constructions.is_empty() {
                (
                    format!(
                        "Token sesi {cookie} hanya memuat {eff} bit efektif (kapasitas {cap} bit), di bawah 64 bit ASVS 4.0.3, berdasarkan {n} token. {}",
                        reasons_text(true)
                    ),
                    format!(
                        "Session token {cookie} carries only {eff} effective bits (capacity {cap} bits), below the 64 bits of ASVS 4.0.3, from {n} tokens. {}",
                        reasons_text(false)
                    ),
                )
            } else if a.effective_bits < 64.0 {
                (
                    format!(
                        "Token sesi {cookie} dapat ditebak karena susunannya (lihat session.token.construction); hanya {eff} bit efektif dari kapasitas {cap} bit, di bawah 64 bit ASVS 4.0.3."
                    ),
                    format!(
                        "Session token {cookie} is guessable from its construction (see session.token.construction); only {eff} effective of {cap} bits capacity, below the 64 bits of ASVS 4.0.3."
                    ),
                )
            } else {
                // Hashing or whitening hides the source from the statistics, not from an attacker.
                (
                    format!(
                        "Token sesi {cookie} dapat ditebak karena susunannya (lihat session.token.construction); uji statistik mencatat {eff} bit efektif dari kapasitas {cap} bit, tetapi entropi sebenarnya sebesar sumbernya yang jauh lebih rendah."
                    ),
                    format!(
                        "Session token {cookie} is guessable from its construction (see session.token.construction); the statistics show {eff} effective of {cap} bits capacity, but its real entropy is that of its far smaller source."
                    ),
                )
            };
            out.push(obs("session.token.entropy", Outcome::Fail, Text::new(id, en)));
        }
        Verdict::Inconclusive if jwt => {
            let why = Text::new(
                "Token sesi berupa JWT bertanda tangan; analisis entropi tidak berlaku untuk token mandiri.",
                "The session token is a signed JWT; entropy analysis does not apply to self-contained tokens.",
            );
            out.push(obs(
                "session.token.entropy",
                Outcome::NotApplicable { reason: why.clone() },
                why,
            ));
        }
        Verdict::Inconclusive => {
            let why = Text::new(
                format!("Analisis {n} token sesi {cookie} belum dapat disimpulkan. {}", reasons_text(true)),
                format!("The analysis of {n} tokens of session cookie {cookie} is inconclusive. {}", reasons_text(false)),
            );
            out.push(obs(
                "session.token.entropy",
                Outcome::Inconclusive { reason: why.clone() },
                why,
            ));
        }
    }

    // session.token.jwt
    if jwt {
        let alg = a.format.jwt_alg.as_deref().unwrap_or("?");
        out.push(obs(
            "session.token.jwt",
            Outcome::Fail,
            Text::new(
                format!(
                    "Token sesi {cookie} berupa JWT (alg {alg}); pastikan tanda tangan diverifikasi dengan algoritma yang diizinkan, masa berlaku singkat dan token dapat dicabut saat logout."
                ),
                format!(
                    "Session token {cookie} is a JWT (alg {alg}); make sure the signature is verified with an allow-listed algorithm, expiry is short and tokens can be revoked at logout."
                ),
            ),
        ));
    } else {
        out.push(obs(
            "session.token.jwt",
            Outcome::Pass,
            Text::new(
                format!("Token sesi {cookie} bukan JWT ({}).", a.format.description),
                format!(
                    "Session token {cookie} is not a JWT ({}).",
                    a.format.description
                ),
            ),
        ));
    }
    out
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn all_inconclusive(why: Text, figures: serde_json::Value) -> Vec<Observation> {
    ITEMS
        .iter()
        .map(|item| {
            Observation::new(
                item,
                Outcome::Inconclusive {
                    reason: why.clone(),
                },
                why.clone(),
            )
            .with_figures(figures.clone())
        })
        .collect()
}

fn collect_failed(
    e: &dyn std::fmt::Display,
    source: &Url,
    cookie: &str,
    got: usize,
) -> Vec<Observation> {
    all_inconclusive(
        Text::new(
            format!(
                "Pengumpulan token sesi {cookie} dari {source} terhenti setelah {got} token: {e}"
            ),
            format!(
                "Collecting session tokens {cookie} from {source} stopped after {got} tokens: {e}"
            ),
        ),
        json!({"cookie": cookie, "source": source.as_str(), "collected": got}),
    )
}

fn analysis_failed(
    e: &kawal_entropy::Error,
    source: &Url,
    cookie: &str,
    got: usize,
) -> Vec<Observation> {
    all_inconclusive(
        Text::new(
            format!(
                "{got} token sesi {cookie} dari {source} tidak dapat dianalisis: {}",
                e.message_id()
            ),
            format!("{got} session tokens {cookie} from {source} cannot be analysed: {e}"),
        ),
        json!({"cookie": cookie, "source": source.as_str(), "collected": got}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_tokens_round_trip_with_their_timing() {
        let tokens = vec![
            Token {
                value: "ab12".into(),
                captured_at_ms: Some(1_700_000_000_123),
                date_header_s: Some(1_700_000_000),
            },
            Token {
                value: "cd34".into(),
                captured_at_ms: None,
                date_header_s: None,
            },
        ];
        let text = format_tokens(&tokens);
        assert_eq!(text, "ab12\t1700000000123\t1700000000\ncd34\t\t\n");
        let back = read_tokens(&text);
        assert_eq!(back.len(), 2);
        assert_eq!(
            (
                back[0].value.as_str(),
                back[0].captured_at_ms,
                back[0].date_header_s
            ),
            ("ab12", Some(1_700_000_000_123), Some(1_700_000_000))
        );
        assert_eq!(
            (back[1].value.as_str(), back[1].captured_at_ms),
            ("cd34", None)
        );
        // A plain one-token-per-line file still reads.
        assert_eq!(read_tokens("x1\n\ny2\n").len(), 2);
    }

    fn analysis(tokens: Vec<String>) -> Analysis {
        let t: Vec<Token> = tokens.into_iter().map(Token::new).collect();
        kawal_entropy::analyse(&t, &Options::default()).expect("analyse")
    }

    fn status(obs: &[Observation], item: &str) -> &'static str {
        obs.iter()
            .find(|o| o.item_id == item)
            .map_or("missing", |o| o.outcome.status())
    }

    fn src() -> Url {
        Url::parse("https://app.example.go.id/").expect("url")
    }

    #[test]
    fn counter_fails_construction_and_entropy() {
        let a = analysis((1u128..=100).map(|i| format!("{i:032x}")).collect());
        assert!(structural(&a));
        let obs = judge(&a, None, &src(), "SID");
        assert_eq!(obs.len(), ITEMS.len());
        assert_eq!(status(&obs, "session.token.construction"), "fail");
        assert_eq!(status(&obs, "session.token.entropy"), "fail");
        assert_eq!(status(&obs, "session.token.jwt"), "pass");
        let c = obs
            .iter()
            .find(|o| o.item_id == "session.token.construction")
            .expect("obs");
        assert!(c.summary.en.contains("counter"), "{}", c.summary.en);
        assert!(
            c.figures["reason_codes"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == "counter"))
        );
    }

    #[test]
    fn hashed_counter_evidence_names_the_construction_and_the_next_token() {
        use sha2::{Digest, Sha256};
        let hex = |v: u64| -> String {
            Sha256::digest(v.to_string().as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        // The first look of the scan: 30 tokens of sha256(counter) from 4,200,000.
        let a = analysis((4_200_000..4_200_030).map(hex).collect());
        assert!(structural(&a));
        let obs = judge(&a, None, &src(), "SID");
        let c = obs
            .iter()
            .find(|o| o.item_id == "session.token.construction")
            .expect("obs");
        assert_eq!(c.outcome.status(), "fail");
        let next = hex(4_200_030);
        assert!(c.summary.en.contains(&next), "{}", c.summary.en);
        assert!(c.summary.id.contains(&next), "{}", c.summary.id);
        let hit = &c.figures["construction"][0];
        assert_eq!(hit["code"], "sha256_of_counter");
        assert_eq!(hit["predicted_next"], next.as_str());
        assert_eq!(hit["recovered"]["start"], "4200000");
        assert_eq!(hit["verified"]["matched"], 30);
    }

    #[test]
    fn small_random_sample_is_inconclusive_not_pass() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let tokens = (0..100)
            .map(|_| {
                (0..2)
                    .map(|_| {
                        // xorshift: fine for a test sample, never for real tokens.
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        format!("{seed:016x}")
                    })
                    .collect::<String>()
            })
            .collect();
        let a = analysis(tokens);
        let obs = judge(&a, None, &src(), "SID");
        assert_eq!(status(&obs, "session.token.entropy"), "inconclusive");
        assert!(!needs_confirmation(&a));
    }

    #[test]
    fn jwt_is_reported_and_entropy_not_applicable() {
        // header {"alg":"HS256","typ":"JWT"}; payloads and signatures vary.
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let tokens = (0..120)
            .map(|_| {
                let sig: String = (0..43)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        char::from(B64[(seed >> 58) as usize])
                    })
                    .collect();
                format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyMDAwMDAwIn0.{sig}")
            })
            .collect();
        let a = analysis(tokens);
        assert_eq!(a.format.kind, FormatKind::Jwt);
        let obs = judge(&a, None, &src(), "token");
        assert_eq!(status(&obs, "session.token.jwt"), "fail");
        assert_eq!(status(&obs, "session.token.entropy"), "not_applicable");
        assert_eq!(status(&obs, "session.token.construction"), "not_applicable");
    }
}
