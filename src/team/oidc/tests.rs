use super::jwt::{Expect, JwkSet, JwtError, verify};
use super::*;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _};
use serde_json::json;

const ISS: &str = "https://sso.example.go.id/realms/pemda";
const NOW: i64 = 1_800_000_000;

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

/// Reads one DER TLV at `d`, returning (content, rest).
fn tlv(d: &[u8]) -> (&[u8], &[u8]) {
    let (len, at) = match d[1] {
        l if l < 0x80 => (l as usize, 2),
        0x81 => (d[2] as usize, 3),
        0x82 => (((d[2] as usize) << 8) | d[3] as usize, 4),
        _ => panic!("DER length"),
    };
    (&d[at..at + len], &d[at + len..])
}

/// n and e of an RSA SubjectPublicKeyInfo, without leading zero bytes.
fn rsa_components(spki: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (seq, _) = tlv(spki);
    let (_, rest) = tlv(seq); // algorithm
    let (bits, _) = tlv(rest);
    let (rsa, _) = tlv(&bits[1..]);
    let (n, rest) = tlv(rsa);
    let (e, _) = tlv(rest);
    let strip = |v: &[u8]| v.iter().skip_while(|b| **b == 0).copied().collect();
    (strip(n), strip(e))
}

enum Signer {
    Rsa(aws_lc_rs::rsa::KeyPair),
    Ec(EcdsaKeyPair),
}

struct Key {
    signer: Signer,
    kid: &'static str,
}

impl Key {
    fn rsa(kid: &'static str) -> Key {
        let k = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        Key {
            signer: Signer::Rsa(k),
            kid,
        }
    }
    fn ec(kid: &'static str) -> Key {
        let k = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        Key {
            signer: Signer::Ec(k),
            kid,
        }
    }
    fn jwk(&self) -> serde_json::Value {
        match &self.signer {
            Signer::Rsa(k) => {
                let der = k.public_key().as_der().unwrap();
                let (n, e) = rsa_components(der.as_ref());
                json!({"kty": "RSA", "kid": self.kid, "use": "sig", "n": b64(&n), "e": b64(&e)})
            }
            Signer::Ec(k) => {
                let p = k.public_key().as_ref();
                json!({"kty": "EC", "kid": self.kid, "crv": "P-256",
                       "x": b64(&p[1..33]), "y": b64(&p[33..65])})
            }
        }
    }
    fn sign(&self, alg: &str, claims: &serde_json::Value) -> String {
        let header = json!({"alg": alg, "kid": self.kid, "typ": "JWT"});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = match &self.signer {
            Signer::Rsa(k) => {
                let pad: &'static dyn signature::RsaEncoding = if alg == "PS256" {
                    &signature::RSA_PSS_SHA256
                } else {
                    &signature::RSA_PKCS1_SHA256
                };
                let mut s = vec![0; k.public_modulus_len()];
                k.sign(pad, &SystemRandom::new(), input.as_bytes(), &mut s)
                    .unwrap();
                s
            }
            Signer::Ec(k) => k
                .sign(&SystemRandom::new(), input.as_bytes())
                .unwrap()
                .as_ref()
                .to_vec(),
        };
        format!("{input}.{}", b64(&sig))
    }
}

fn set(keys: &[&Key]) -> JwkSet {
    serde_json::from_value(json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}))
        .unwrap()
}

fn claims() -> serde_json::Value {
    json!({"iss": ISS, "aud": "kawal", "sub": "u-123", "exp": NOW + 300, "iat": NOW - 5,
           "nonce": "n0nce", "preferred_username": "siti"})
}

fn expect() -> Expect<'static> {
    Expect {
        issuer: ISS,
        client_id: "kawal",
        nonce: "n0nce",
        now: NOW,
    }
}

fn with(f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> serde_json::Value {
    let mut c = claims();
    f(c.as_object_mut().unwrap());
    c
}

#[test]
fn rs256_ps256_and_es256_tokens_verify_and_name_their_user() {
    let (r, e) = (Key::rsa("r1"), Key::ec("e1"));
    let keys = set(&[&r, &e]);
    for (k, alg) in [(&r, "RS256"), (&r, "PS256"), (&e, "ES256")] {
        let c = verify(&k.sign(alg, &claims()), &keys, &expect())
            .unwrap_or_else(|err| panic!("{alg}: {err}"));
        assert_eq!(c.sub, "u-123");
        assert_eq!(c.string("preferred_username"), Some("siti"));
    }
}

#[test]
fn a_changed_claim_or_a_foreign_key_breaks_the_signature() {
    let (r, other) = (Key::rsa("r1"), Key::rsa("r1"));
    let token = r.sign("RS256", &claims());
    // Same kid, different key: the attacker's own key published under the expected id.
    assert_eq!(
        verify(&other.sign("RS256", &claims()), &set(&[&r]), &expect()).unwrap_err(),
        JwtError::Signature
    );
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged = b64(with(|c| {
        c.insert("preferred_username".into(), "admin".into());
    })
    .to_string()
    .as_bytes());
    parts[1] = &forged;
    assert_eq!(
        verify(&parts.join("."), &set(&[&r]), &expect()).unwrap_err(),
        JwtError::Signature
    );
}

#[test]
fn none_and_hmac_algorithms_are_refused_before_any_key_is_used() {
    let r = Key::rsa("r1");
    let keys = set(&[&r]);
    for alg in ["none", "HS256", "none "] {
        let h = b64(json!({"alg": alg, "kid": "r1"}).to_string().as_bytes());
        let c = b64(claims().to_string().as_bytes());
        let token = format!("{h}.{c}.");
        assert_eq!(
            verify(&token, &keys, &expect()).unwrap_err(),
            JwtError::Algorithm(alg.into())
        );
    }
    // An RS256 header over an EC key set finds no key of the right type.
    let e = Key::ec("r1");
    assert!(matches!(
        verify(&r.sign("RS256", &claims()), &set(&[&e]), &expect()),
        Err(JwtError::UnknownKey(Some(k))) if k == "r1"
    ));
}

#[test]
fn each_required_claim_is_checked() {
    let k = Key::ec("e1");
    let keys = set(&[&k]);
    let run = |c: serde_json::Value| verify(&k.sign("ES256", &c), &keys, &expect());
    assert_eq!(
        run(with(|c| {
            c.insert("iss".into(), "https://evil.example".into());
        }))
        .unwrap_err(),
        JwtError::Issuer("https://evil.example".into())
    );
    assert_eq!(
        run(with(|c| {
            c.insert("aud".into(), "another-app".into());
        }))
        .unwrap_err(),
        JwtError::Audience
    );
    assert_eq!(
        run(with(|c| {
            c.insert("aud".into(), json!(["kawal", "another-app"]));
        }))
        .unwrap_err(),
        JwtError::Audience,
        "several audiences without azp"
    );
    assert!(
        run(with(|c| {
            c.insert("aud".into(), json!(["kawal", "another-app"]));
            c.insert("azp".into(), "kawal".into());
        }))
        .is_ok()
    );
    assert_eq!(
        run(with(|c| {
            c.insert("exp".into(), (NOW - super::jwt::LEEWAY_SECS - 1).into());
        }))
        .unwrap_err(),
        JwtError::Expired
    );
    assert!(
        run(with(|c| {
            c.insert("exp".into(), (NOW - 30).into());
        }))
        .is_ok(),
        "within the leeway"
    );
    assert_eq!(
        run(with(|c| {
            c.insert("iat".into(), (NOW + 3600).into());
        }))
        .unwrap_err(),
        JwtError::IssuedInFuture
    );
    assert_eq!(
        run(with(|c| {
            c.insert("nonce".into(), "replayed".into());
        }))
        .unwrap_err(),
        JwtError::Nonce
    );
    for claim in ["sub", "nonce", "exp", "iat", "aud", "iss"] {
        let err = run(with(|c| {
            c.remove(claim);
        }))
        .unwrap_err();
        assert_eq!(err, JwtError::MissingClaim(claim), "{claim}");
    }
}

#[test]
fn malformed_tokens_are_refused_without_panicking() {
    let keys = set(&[&Key::ec("e1")]);
    for t in [
        "",
        "a",
        "a.b",
        "a.b.c.d",
        "!!.!!.!!",
        "e30.e30.e30",
        "bnVsbA.e30.",
    ] {
        assert!(
            matches!(
                verify(t, &keys, &expect()),
                Err(JwtError::Malformed(_) | JwtError::Algorithm(_))
            ),
            "{t:?}"
        );
    }
}

#[test]
fn the_pkce_challenge_is_rfc7636s_example() {
    // RFC 7636 appendix B.
    let p = Pending::new(
        "s".into(),
        "n".into(),
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
        NOW,
    );
    assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assert_eq!(p.expires, NOW + PENDING_MINUTES * 60);
}

#[test]
fn the_authorization_url_carries_state_nonce_and_s256() {
    let s = OidcSettings::new(ISS, "kawal", None, Some("https://kawal.example.go.id")).unwrap();
    let p = Pending::new("st".into(), "no".into(), "ve".into(), NOW);
    let u = authorization_url(&Url::parse("https://sso/auth?x=1").unwrap(), &s, &p);
    let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
    assert_eq!(q["x"], "1", "the endpoint's own query is kept");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["scope"], "openid profile email");
    assert_eq!(q["state"], "st");
    assert_eq!(q["nonce"], "no");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"], p.challenge());
    assert_eq!(
        q["redirect_uri"],
        "https://kawal.example.go.id/login/oidc/callback"
    );
}

#[test]
fn settings_refuse_plain_http_providers_and_missing_parts() {
    let ok = Some("https://kawal.example.go.id");
    assert!(OidcSettings::new("http://sso.example.go.id", "kawal", None, ok).is_err());
    assert!(OidcSettings::new("http://127.0.0.1:9000", "kawal", None, ok).is_ok());
    assert!(OidcSettings::new("not a url", "kawal", None, ok).is_err());
    assert!(OidcSettings::new(ISS, " ", None, ok).is_err());
    let e = OidcSettings::new(ISS, "kawal", None, None).unwrap_err();
    assert!(e.to_string().contains("public_url"), "{e}");
    assert!(OidcSettings::new("https://sso/?a=b", "kawal", None, ok).is_err());
}

#[test]
fn an_unverified_email_names_nobody() {
    let mut s = OidcSettings::new(ISS, "kawal", None, Some("https://k")).unwrap();
    s.username_claim = "email".into();
    let mut all = serde_json::Map::new();
    all.insert("email".into(), "siti@kominfo.example.go.id".into());
    let c = super::jwt::Claims {
        sub: "x".into(),
        all: all.clone(),
    };
    assert!(username(&c, &s).is_err());
    all.insert("email_verified".into(), true.into());
    let c = super::jwt::Claims {
        sub: "x".into(),
        all,
    };
    assert_eq!(username(&c, &s).unwrap(), "siti@kominfo.example.go.id");
}
