//! Session-token samples from repeated logins of one registered role, for applications that
//! issue the session id only at login. The first logins run one at a time, later ones a few at
//! once (see [`LoginCollector::sequential`]), all under the client's rate limit and never more
//! than the configured bound (`[session] login_samples`).

use super::setcookie::{SetCookie, httpdate_to_unix, session_reason};
use crate::auth::{self, AuthSession, Role};
use crate::net::HttpClient;
use kawal_entropy::Token;
use url::Url;

/// The name under which a bearer token is reported.
pub const BEARER: &str = "Authorization";

/// A login for a token sample failed or yielded no token.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoginSampleError(pub String);

/// Collects one token per login of `role`.
pub struct LoginCollector {
    /// The role logged in.
    pub role: Role,
    /// The application's URL (login URLs are relative to it).
    pub base: Url,
    /// Cookie name; found at the first login when `None` ([`BEARER`] for a bearer token).
    pub cookie: Option<String>,
    /// Logins left.
    pub budget: u32,
    /// Logins done.
    pub logins: u32,
    /// Tokens collected one login at a time before logins run in parallel windows.
    pub sequential: usize,
    /// Logins at once after the sequential ones (1 = always one at a time).
    pub parallel: usize,
}

impl LoginCollector {
    /// A collector for `role`, with the cookie name if configured and a bound on logins.
    pub fn new(role: Role, base: Url, cookie: Option<String>, budget: u32) -> LoginCollector {
        LoginCollector {
            role,
            base,
            cookie,
            budget,
            logins: 0,
            sequential: usize::MAX,
            parallel: 1,
        }
    }

    /// The login URL, for messages.
    pub fn source(&self) -> Url {
        match &self.role.recipe {
            auth::Recipe::Form { url, .. } | auth::Recipe::Json { url, .. } => {
                self.base.join(url).unwrap_or_else(|_| self.base.clone())
            }
            _ => self.base.clone(),
        }
    }

    /// Logs in until `tokens` holds `target` tokens or the bound is reached.
    ///
    /// The first `sequential` tokens come one login at a time, so the order-based tests
    /// (counters, timestamps, linear generators) see the tokens in the order the application
    /// issued them; that is where a predictable generator shows. Later logins run `parallel`
    /// at a time and their tokens are kept in request order. For a sound generator the order
    /// of independent tokens carries no information, so the statistics are unchanged; for a
    /// sequential one the issue order differs from the request order by less than one window,
    /// so a counter still shows as small differences. Speed without a different verdict.
    pub async fn fill(
        &mut self,
        http: &HttpClient,
        tokens: &mut Vec<Token>,
        target: usize,
    ) -> Result<(), LoginSampleError> {
        while tokens.len() < target && self.budget > 0 {
            let window = if tokens.len() < self.sequential {
                1
            } else {
                self.parallel.max(1)
            };
            let n = window
                .min(target - tokens.len())
                .min(self.budget as usize)
                .max(1);
            self.budget -= n as u32;
            self.logins += n as u32;
            let logins = (0..n).map(|_| auth::login(http, &self.base, &self.role));
            let sessions = futures_util::future::join_all(logins).await;
            for s in sessions {
                let s = s.map_err(|e| LoginSampleError(e.to_string()))?;
                let token = self.token(&s)?;
                tokens.push(token);
            }
        }
        Ok(())
    }

    /// The session token of one login, with its capture time and `Date` header.
    fn token(&mut self, s: &AuthSession) -> Result<Token, LoginSampleError> {
        let captured = time::OffsetDateTime::now_utc();
        if self.cookie.is_none() {
            self.cookie = session_name(s);
        }
        let value = self.cookie.as_deref().and_then(|n| token_of(s, n));
        let Some(value) = value else {
            return Err(LoginSampleError(format!(
                "login peran '{}' tidak menerbitkan cookie sesi atau token / the login of role '{}' issued no session cookie or token",
                self.role.name, self.role.name
            )));
        };
        let date = s
            .responses
            .iter()
            .rev()
            .find_map(|r| r.header("date").and_then(httpdate_to_unix));
        Ok(Token {
            value,
            captured_at_ms: Some((captured.unix_timestamp_nanos() / 1_000_000) as i64),
            date_header_s: date,
        })
    }
}

/// The session cookie the login set (a name that looks like one), else the bearer token.
pub fn session_name(s: &AuthSession) -> Option<String> {
    let set: Option<String> = s
        .responses
        .iter()
        .flat_map(|r| r.headers_named("set-cookie"))
        .filter_map(SetCookie::parse)
        .filter(|c| !c.is_deletion() && session_reason(c).is_some())
        .map(|c| c.name)
        .find(|n| s.jar.get(n).is_some());
    set.or_else(|| bearer(s).map(|_| BEARER.to_string()))
}

/// The value of `name` in the session (the bearer token for [`BEARER`]).
pub fn token_of(s: &AuthSession, name: &str) -> Option<String> {
    if name == BEARER {
        return bearer(s).map(str::to_string);
    }
    s.jar.get(name).map(str::to_string)
}

fn bearer(s: &AuthSession) -> Option<&str> {
    s.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.strip_prefix("Bearer "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Response;

    fn session(set_cookie: &[&str], auth: Option<&str>) -> AuthSession {
        let r = Response {
            method: "POST".into(),
            url: Url::parse("https://a.example.go.id/login").expect("url"),
            status: 302,
            headers: set_cookie
                .iter()
                .map(|c| ("set-cookie".to_string(), c.to_string()))
                .collect(),
            body: Vec::new(),
            truncated: false,
            elapsed: std::time::Duration::ZERO,
        };
        let mut s = AuthSession::anonymous();
        s.jar.absorb(&r);
        s.responses.push(r);
        if let Some(a) = auth {
            s.headers.push(("authorization".into(), a.into()));
        }
        s
    }

    #[test]
    fn the_login_cookie_or_the_bearer_token_is_sampled() {
        let s = session(
            &["lang=id", "sid=00000000000000000000000000000007; HttpOnly"],
            None,
        );
        assert_eq!(session_name(&s).as_deref(), Some("sid"));
        assert_eq!(
            token_of(&s, "sid").as_deref(),
            Some("00000000000000000000000000000007")
        );
        let s = session(&["lang=id"], Some("Bearer abc.def"));
        assert_eq!(session_name(&s).as_deref(), Some(BEARER));
        assert_eq!(token_of(&s, BEARER).as_deref(), Some("abc.def"));
        assert_eq!(session_name(&session(&["lang=id"], None)), None);
    }
}
