//! Webhook signatures: HMAC-SHA256 over `"{timestamp}.{body}"`, sent as
//! `X-Kawal-Signature: sha256=<hex>` beside `X-Kawal-Timestamp: <unix seconds>`. Signing the
//! timestamp with the body lets a receiver refuse replays outside its tolerance (pure).

use aws_lc_rs::hmac;

/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-kawal-signature";
/// Header carrying the timestamp (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-kawal-timestamp";
/// Header naming the event.
pub const EVENT_HEADER: &str = "x-kawal-event";
/// Header carrying the message id (the same on every retry, for de-duplication).
pub const DELIVERY_HEADER: &str = "x-kawal-delivery";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signature header value of `body` sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body);
    format!("sha256={}", hex(ctx.sign().as_ref()))
}

/// Whether `header` is a valid signature of `body` at `timestamp`, within `tolerance_secs`
/// of `now` (constant-time comparison).
pub fn verify(
    secret: &[u8],
    timestamp: i64,
    body: &[u8],
    header: &str,
    now: i64,
    tolerance_secs: i64,
) -> bool {
    if (now - timestamp).abs() > tolerance_secs {
        return false;
    }
    let Some(hexsig) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Some(tag) = unhex(hexsig) else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut msg = timestamp.to_string().into_bytes();
    msg.push(b'.');
    msg.extend_from_slice(body);
    hmac::verify(&key, &msg, &tag).is_ok()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_4231_vector_and_verifies() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"Jefe");
        let tag = hmac::sign(&key, b"what do ya want for nothing?");
        assert_eq!(
            hex(tag.as_ref()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = sign(b"rahasia", 1_700_000_000, b"{\"a\":1}");
        assert!(verify(
            b"rahasia",
            1_700_000_000,
            b"{\"a\":1}",
            &s,
            1_700_000_010,
            300
        ));
        assert!(!verify(
            b"rahasia",
            1_700_000_000,
            b"{\"a\":2}",
            &s,
            1_700_000_010,
            300
        ));
        assert!(!verify(
            b"lain",
            1_700_000_000,
            b"{\"a\":1}",
            &s,
            1_700_000_010,
            300
        ));
        assert!(!verify(
            b"rahasia",
            1_700_000_000,
            b"{\"a\":1}",
            &s,
            1_700_001_000,
            300
        ));
        assert!(!verify(
            b"rahasia",
            1_700_000_001,
            b"{\"a\":1}",
            &s,
            1_700_000_010,
            300
        ));
    }
}
