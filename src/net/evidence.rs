//! Evidence kept with findings: what was sent and received, with secrets redacted.

use serde::{Deserialize, Serialize};

/// Longest body excerpt stored with a finding.
pub const EXCERPT_CHARS: usize = 600;

/// One request/response pair as stored evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Evidence {
    /// HTTP method.
    pub method: String,
    /// Request URL.
    pub url: String,
    /// Response status, when a response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Request headers (credentials redacted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<(String, String)>,
    /// Response headers (cookie values redacted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// Start of the response body.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body_excerpt: String,
    /// Whether the body was cut at the size cap.
    #[serde(default)]
    pub truncated: bool,
    /// What this evidence shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Personal data masked in this evidence (kinds and counts), when any was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<super::mask::Masked>,
}

/// Request headers whose values are credentials.
const SECRET_REQUEST_HEADERS: &[&str] = &["cookie", "authorization", "proxy-authorization"];

/// Redacts a request header value if it carries credentials.
pub fn redact_request_header(name: &str, value: &str) -> String {
    if SECRET_REQUEST_HEADERS
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
    {
        if name.eq_ignore_ascii_case("cookie") {
            return value
                .split(';')
                .map(|pair| redact_pair(pair.trim()))
                .collect::<Vec<_>>()
                .join("; ");
        }
        let scheme = value.split_whitespace().next().unwrap_or("");
        return format!("{scheme} <disamarkan/redacted>");
    }
    value.to_string()
}

/// Redacts a response header value; `Set-Cookie` keeps its attributes but hides the value.
pub fn redact_response_header(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("set-cookie") {
        let mut parts = value.splitn(2, ';');
        let first = parts.next().unwrap_or("");
        return match parts.next() {
            Some(rest) => format!("{};{rest}", redact_pair(first.trim())),
            None => redact_pair(first.trim()),
        };
    }
    value.to_string()
}

fn redact_pair(pair: &str) -> String {
    match pair.split_once('=') {
        Some((n, v)) if !v.is_empty() => {
            format!("{n}=<disamarkan/redacted {} chars>", v.chars().count())
        }
        _ => pair.to_string(),
    }
}

/// The first [`EXCERPT_CHARS`] characters of a body, lossily decoded.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_CHARS * 4)]);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cookie_value_hidden_attributes_kept() {
        let r = redact_response_header("Set-Cookie", "SID=abcdef0123; Path=/; HttpOnly");
        assert_eq!(r, "SID=<disamarkan/redacted 10 chars>; Path=/; HttpOnly");
        assert!(!r.contains("abcdef"));
    }

    #[test]
    fn credentials_in_requests_are_hidden() {
        assert_eq!(
            redact_request_header("Authorization", "Bearer eyJhbGciOi.x.y"),
            "Bearer <disamarkan/redacted>"
        );
        let c = redact_request_header("Cookie", "a=1234; b=xy");
        assert!(!c.contains("1234") && c.contains("a=<disamarkan/redacted 4 chars>"));
        assert_eq!(redact_request_header("Accept", "text/html"), "text/html");
    }

    #[test]
    fn excerpt_is_bounded_and_survives_invalid_utf8() {
        let body = vec![0xffu8; 10_000];
        let e = excerpt(&body);
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
    }
}
