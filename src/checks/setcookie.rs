//! `Set-Cookie` parsing (RFC 6265 §5.2, lenient like browsers) and session-cookie inference.

use serde::Serialize;

/// One parsed `Set-Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetCookie {
    /// Cookie name.
    pub name: String,
    /// Cookie value (kept in memory only; evidence stores it redacted).
    #[serde(skip)]
    pub value: String,
    /// `Secure` present.
    pub secure: bool,
    /// `HttpOnly` present.
    pub http_only: bool,
    /// `SameSite` value as sent, if any.
    pub same_site: Option<String>,
    /// `Domain` attribute, leading dot removed, lowercase.
    pub domain: Option<String>,
    /// `Path` attribute.
    pub path: Option<String>,
    /// `Max-Age` in seconds, if valid.
    pub max_age: Option<i64>,
    /// `Expires` as sent.
    pub expires: Option<String>,
}

impl SetCookie {
    /// Parses a header value; `None` when it has no `name=` pair (browsers ignore those).
    pub fn parse(header: &str) -> Option<SetCookie> {
        let mut parts = header.split(';');
        let pair = parts.next()?.trim();
        let (name, value) = pair.split_once('=')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let mut c = SetCookie {
            name: name.to_string(),
            value: value.trim().trim_matches('"').to_string(),
            secure: false,
            http_only: false,
            same_site: None,
            domain: None,
            path: None,
            max_age: None,
            expires: None,
        };
        for attr in parts {
            let (k, v) = match attr.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (attr.trim(), None),
            };
            match k.to_ascii_lowercase().as_str() {
                "secure" => c.secure = true,
                "httponly" => c.http_only = true,
                "samesite" => c.same_site = v.map(str::to_string),
                "domain" => {
                    c.domain = v
                        .map(|d| {
                            // Spaces between the dots and the name would survive one parse but not the next.
                            d.trim_start_matches(|c: char| c == '.' || c.is_whitespace())
                                .to_ascii_lowercase()
                        })
                        .filter(|d| !d.is_empty())
                }
                "path" => c.path = v.map(str::to_string),
                "max-age" => c.max_age = v.and_then(|s| s.parse().ok()),
                "expires" => c.expires = v.map(str::to_string),
                _ => {}
            }
        }
        Some(c)
    }

    /// Whether this header deletes the cookie rather than setting it at `now_unix`: its lifetime
    /// (Max-Age, which wins over Expires as in browsers, RFC 6265 §5.3) is zero or negative.
    pub fn is_deletion_at(&self, now_unix: i64) -> bool {
        self.lifetime_secs(now_unix).is_some_and(|l| l <= 0)
    }

    /// [`SetCookie::is_deletion_at`] now.
    pub fn is_deletion(&self) -> bool {
        self.is_deletion_at(time::OffsetDateTime::now_utc().unix_timestamp())
    }

    /// Lifetime in seconds when persistent: Max-Age wins over Expires, as in browsers.
    pub fn lifetime_secs(&self, now_unix: i64) -> Option<i64> {
        if let Some(m) = self.max_age {
            return Some(m);
        }
        let e = self.expires.as_deref()?;
        httpdate_to_unix(e).map(|t| t.saturating_sub(now_unix))
    }
}

/// Why a cookie is taken for a session cookie, or `None` when it is not one.
pub fn session_reason(c: &SetCookie) -> Option<String> {
    let lname = c.name.to_ascii_lowercase();
    let base = lname
        .trim_start_matches("__host-")
        .trim_start_matches("__secure-");
    if NOT_SESSION_NAMES
        .iter()
        .any(|n| base == *n || base.starts_with(&format!("{n}_")))
    {
        return None;
    }
    if let Some(p) = SESSION_NAME_PATTERNS.iter().find(|p| base.contains(*p)) {
        return Some(format!("name matches '{p}'"));
    }
    if looks_random(&c.value) {
        return Some(format!(
            "value looks like an identifier ({} random-looking characters)",
            c.value.len()
        ));
    }
    None
}

/// Name fragments used by common frameworks for session identifiers.
const SESSION_NAME_PATTERNS: &[&str] = &[
    "sess",
    "sid",
    "jsessionid",
    "phpsessid",
    "asp.net_sessionid",
    "aspsessionid",
    "connect.sid",
    "laravel_session",
    "ci_session",
    "auth",
    "token",
    "login",
    "user_id",
    "remember",
    "jwt",
    "identity",
];

/// Names that carry preferences or anti-CSRF values, never the session itself.
const NOT_SESSION_NAMES: &[&str] = &[
    "lang",
    "language",
    "locale",
    "theme",
    "consent",
    "cookieconsent",
    "tz",
    "timezone",
    "csrftoken",
    "xsrf-token",
    "_csrf",
    "csrf_token",
    "_ga",
    "_gid",
    "_gat",
    "_fbp",
    "currency",
    "country",
];

/// A value that is long and mixes character classes like a random identifier does.
fn looks_random(v: &str) -> bool {
    if v.len() < 16 || v.len() > 4096 {
        return false;
    }
    let distinct = {
        let mut seen = [false; 256];
        v.bytes()
            .filter(|&b| !std::mem::replace(&mut seen[b as usize], true))
            .count()
    };
    let digits = v.bytes().any(|b| b.is_ascii_digit());
    let letters = v.bytes().any(|b| b.is_ascii_alphabetic());
    distinct >= 10 && digits && letters
}

/// Parses an IMF-fixdate / RFC 850 / asctime date into Unix seconds.
pub fn httpdate_to_unix(s: &str) -> Option<i64> {
    let cleaned: Vec<&str> = s.split([' ', '-', ',']).filter(|t| !t.is_empty()).collect();
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut hms = None;
    for t in cleaned {
        if t.len() == 3
            && let Some(m) = MONTHS.iter().position(|m| t.eq_ignore_ascii_case(m))
        {
            month = Some(m as i64 + 1);
            continue;
        }
        if t.contains(':') {
            let mut it = t.split(':').map(|x| x.parse::<i64>().ok());
            hms = Some((it.next()??, it.next()??, it.next()??));
        } else if let Ok(n) = t.parse::<i64>() {
            if t.len() <= 2 && day.is_none() {
                day = Some(n);
            } else {
                year = Some(if n < 70 {
                    2000 + n
                } else if n < 100 {
                    1900 + n
                } else {
                    n
                });
            }
        }
    }
    let (h, mi, se) = hms?;
    let (year, month, day) = (year?, month?, day?);
    // RFC 6265 §5.1.1: out-of-range fields make the date invalid, as in browsers.
    if !(1..=31).contains(&day) || year < 1601 || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    // Any later year is as far away for a cookie; the cap keeps the arithmetic in range.
    let year = year.min(9999);
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + mi * 60 + se)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes_case_insensitively() {
        let c = SetCookie::parse(
            "__Host-SID=ab12; path=/; SECURE; httponly; SameSite=Lax; Max-Age=600",
        )
        .expect("parse");
        assert_eq!(c.name, "__Host-SID");
        assert!(c.secure && c.http_only);
        assert_eq!(c.same_site.as_deref(), Some("Lax"));
        assert_eq!(c.path.as_deref(), Some("/"));
        assert_eq!(c.max_age, Some(600));
        assert!(SetCookie::parse("noequals; Secure").is_none());
        assert!(SetCookie::parse("=v").is_none());
    }

    #[test]
    fn domain_is_normalised() {
        let c = SetCookie::parse("a=b; Domain=.Example.GO.id").expect("parse");
        assert_eq!(c.domain.as_deref(), Some("example.go.id"));
        // Found by the set_cookie fuzz target: "Domain=. x" kept a leading space, so the
        // cookie written back as "Domain= x" parsed to another domain.
        let c = SetCookie::parse("a=b; Domain=. .X.example  ").expect("parse");
        assert_eq!(c.domain.as_deref(), Some("x.example"));
        assert!(
            SetCookie::parse("a=b; Domain=. . ")
                .expect("parse")
                .domain
                .is_none()
        );
    }

    #[test]
    fn session_cookies_are_inferred_not_assumed() {
        let s = |h: &str| session_reason(&SetCookie::parse(h).expect("parse"));
        assert!(s("PHPSESSID=abc").is_some());
        assert!(s("JSESSIONID=ABC.node1").is_some());
        assert!(s("laravel_session=eyJpdiI6").is_some());
        assert!(s("__Host-SESSIONID=x").is_some());
        assert!(s("lang=id; Max-Age=31536000").is_none());
        assert!(s("theme=light").is_none());
        assert!(s("csrftoken=9f8e7d6c5b4a39281706f5e4d3c2b1a0").is_none());
        // Unknown name, random-looking value: an identifier.
        assert!(s("x9=4f9c2a7e1b3d5f60a8c7e9b1d3f5a7c9").is_some());
        // Unknown name, short or plain value: a preference.
        assert!(s("banner=dismissed").is_none());
    }

    #[test]
    fn deletion_is_a_lifetime_in_the_past_not_a_year_in_the_text() {
        // 2026-12-06T00:00:00Z
        let now = 1_796_515_200;
        let del = |h: &str| SetCookie::parse(h).expect("parse").is_deletion_at(now);
        assert!(del("sid=; Max-Age=0"));
        assert!(del("sid=x; Max-Age=-1"));
        assert!(del("sid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"));
        assert!(del("sid=x; Expires=Mon, 01 Jan 2001 00:00:00 GMT"));
        assert!(del("sid=x; Expires=Sat, 05 Dec 2026 23:59:59 GMT"));
        assert!(!del("sid=x; Max-Age=60"));
        assert!(!del("sid=x; Expires=Wed, 01 Jan 2070 10:00:00 GMT"));
        assert!(!del("sid=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT"));
        // Max-Age wins over a past Expires, as in browsers.
        assert!(!del(
            "sid=x; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        ));
        // An empty value alone, or an unparsable date, is not a deletion.
        assert!(!del("sid=; Path=/"));
        assert!(!del("sid=x; Expires=1980"));
    }

    #[test]
    fn http_dates_parse_in_all_three_forms() {
        let want = Some(784_111_777);
        assert_eq!(httpdate_to_unix("Sun, 06 Nov 1994 08:49:37 GMT"), want);
        assert_eq!(httpdate_to_unix("Sunday, 06-Nov-94 08:49:37 GMT"), want);
        assert_eq!(httpdate_to_unix("Sun Nov  6 08:49:37 1994"), want);
        assert_eq!(httpdate_to_unix("garbage"), None);
        let c = SetCookie::parse("s=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT").expect("p");
        assert_eq!(c.lifetime_secs(784_111_777 - 100), Some(100));
    }

    #[test]
    fn hostile_dates_are_invalid_or_far_future_never_an_overflow() {
        // Found by the set_cookie fuzz target: huge fields overflowed the arithmetic.
        assert_eq!(httpdate_to_unix("01 Jan 1 99999999999999999:00:00"), None);
        assert_eq!(httpdate_to_unix("Sun, 06 Nov 1994 08:49:60 GMT"), None);
        assert_eq!(httpdate_to_unix("Sun, 32 Nov 1994 08:49:37 GMT"), None);
        assert_eq!(httpdate_to_unix("Sun, 06 Nov 1600 08:49:37 GMT"), None);
        let far = httpdate_to_unix("01 Jan 9223372036854775807 00:00:00").expect("far future");
        assert_eq!(far, httpdate_to_unix("01 Jan 9999 00:00:00").expect("9999"));
        let c = SetCookie::parse("s=1; Expires=01 Jan 9223372036854775807 00:00:00").expect("p");
        assert!(c.lifetime_secs(i64::MIN).is_some_and(|l| l > 0));
        assert!(!c.is_deletion_at(1_796_515_200));
    }
}
