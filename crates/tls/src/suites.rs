//! Cipher-suite data table (IANA names with OpenSSL aliases), loaded from `data/cipher-suites.csv`.

use crate::wire::Version;
use std::sync::OnceLock;

/// The embedded table.
const TABLE_CSV: &str = include_str!("../data/cipher-suites.csv");

/// Key-exchange family of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kx {
    /// Static RSA key transport (no forward secrecy).
    Rsa,
    /// Ephemeral finite-field Diffie-Hellman.
    Dhe,
    /// Ephemeral elliptic-curve Diffie-Hellman.
    Ecdhe,
    /// Static DH certificates.
    Dh,
    /// Static ECDH certificates.
    Ecdh,
    /// Anonymous DH/ECDH (no authentication).
    Anon,
    /// TLS 1.3 (group negotiated separately, always ephemeral).
    Tls13,
    /// Ephemeral PSK variants (DHE-PSK, ECDHE-PSK).
    EphemeralPsk,
    /// Other non-ephemeral families (PSK, RSA-PSK, SRP, KRB5, GOST, NULL, ...).
    Other,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherSuite {
    /// Code: 16-bit for SSLv3/TLS, 24-bit for SSLv2 cipher specs.
    pub code: u32,
    /// IANA name (or the customary name for non-registered suites).
    pub iana: &'static str,
    /// OpenSSL alias (may be empty).
    pub openssl: &'static str,
    /// Oldest protocol able to negotiate it.
    pub min_protocol: Version,
    /// Key-exchange family.
    pub kx: Kx,
    /// Key-exchange label as written in the table.
    pub kx_label: &'static str,
    /// Authentication algorithm.
    pub auth: &'static str,
    /// Bulk cipher family (AES, AESGCM, 3DES, RC4, None, ...).
    pub cipher: &'static str,
    /// Bulk cipher key bits as used in grading (0 = no encryption).
    pub bits: u16,
    /// MAC (AEAD for authenticated-encryption suites).
    pub mac: &'static str,
    /// Export-grade suite.
    pub export: bool,
}

impl CipherSuite {
    /// SSLv2 cipher spec (3-byte code).
    pub fn is_sslv2(&self) -> bool {
        self.min_protocol == Version::Ssl2
    }
    /// TLS 1.3 suite.
    pub fn is_tls13(&self) -> bool {
        self.kx == Kx::Tls13
    }
    /// Authenticated encryption (GCM, CCM, ChaCha20-Poly1305).
    pub fn is_aead(&self) -> bool {
        self.mac == "AEAD"
    }
    /// Block cipher in CBC mode (what BEAST and Lucky13 target).
    pub fn is_cbc(&self) -> bool {
        !self.is_aead()
            && matches!(
                self.cipher,
                "AES" | "3DES" | "DES" | "Camellia" | "ARIA" | "SEED" | "IDEA" | "RC2"
            )
    }
    /// 64-bit block cipher (SWEET32).
    pub fn is_64bit_block(&self) -> bool {
        matches!(self.cipher, "3DES" | "DES" | "IDEA" | "RC2")
    }
    /// RC4 stream cipher.
    pub fn is_rc4(&self) -> bool {
        self.cipher == "RC4"
    }
    /// No encryption at all.
    pub fn is_null(&self) -> bool {
        self.cipher == "None"
    }
    /// No server authentication.
    pub fn is_anon(&self) -> bool {
        self.kx == Kx::Anon || self.auth == "None"
    }
    /// Ephemeral key exchange.
    pub fn forward_secrecy(&self) -> bool {
        matches!(self.kx, Kx::Dhe | Kx::Ecdhe | Kx::Tls13 | Kx::EphemeralPsk) && !self.is_anon()
    }
    /// Any of RC4, 3DES/64-bit blocks, export, NULL or anonymous.
    pub fn is_weak(&self) -> bool {
        self.is_rc4() || self.is_64bit_block() || self.export || self.is_null() || self.is_anon()
    }
    /// Whether the ServerKeyExchange uses a named curve (`Some(true)`), a DH prime (`Some(false)`), or neither.
    pub fn ske_is_ecdhe(&self) -> Option<bool> {
        match self.kx {
            Kx::Ecdhe => Some(true),
            Kx::Dhe => Some(false),
            Kx::Anon => Some(self.kx_label.starts_with("ECDH")),
            _ => None,
        }
    }
}

/// A row the table parser rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cipher-suite table line {line}: {reason}")]
pub struct TableError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

fn parse_version(s: &str) -> Option<Version> {
    Some(match s {
        "SSLv2" => Version::Ssl2,
        "SSLv3" => Version::Ssl3,
        "TLSv1" => Version::Tls10,
        "TLSv1.2" => Version::Tls12,
        "TLSv1.3" => Version::Tls13,
        _ => return None,
    })
}

fn parse_kx(s: &str) -> Option<Kx> {
    Some(match s {
        "RSA" => Kx::Rsa,
        "DHE" => Kx::Dhe,
        "ECDHE" => Kx::Ecdhe,
        "DH" => Kx::Dh,
        "ECDH" => Kx::Ecdh,
        "DH_anon" | "ECDH_anon" => Kx::Anon,
        "TLS13" => Kx::Tls13,
        "DHEPSK" | "ECDHEPSK" | "CECPQ1" => Kx::EphemeralPsk,
        "PSK" | "RSAPSK" | "SRP" | "KRB5" | "GOST" | "NULL" => Kx::Other,
        _ => return None,
    })
}

/// Parses the CSV table text; `#` lines and the header row are skipped.
pub fn parse_table(text: &'static str) -> Result<Vec<CipherSuite>, TableError> {
    let mut out: Vec<CipherSuite> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("code,") {
            continue;
        }
        let err = |reason: String| TableError {
            line: line_no,
            reason,
        };
        let f: Vec<&'static str> = line.split(',').collect();
        if f.len() != 10 {
            return Err(err(format!("expected 10 fields, found {}", f.len())));
        }
        let hex = f[0]
            .strip_prefix("0x")
            .ok_or_else(|| err(format!("code {:?} must start with 0x", f[0])))?;
        if hex.len() != 4 && hex.len() != 6 {
            return Err(err(format!("code {:?} must have 4 or 6 hex digits", f[0])));
        }
        let code = u32::from_str_radix(hex, 16)
            .map_err(|_| err(format!("code {:?} is not hexadecimal", f[0])))?;
        if f[1].is_empty() {
            return Err(err("empty IANA name".into()));
        }
        let min_protocol = parse_version(f[3])
            .ok_or_else(|| err(format!("unknown minimum protocol {:?}", f[3])))?;
        if (hex.len() == 6) != (min_protocol == Version::Ssl2) {
            return Err(err("3-byte codes are for SSLv2 rows only".into()));
        }
        let kx = parse_kx(f[4]).ok_or_else(|| err(format!("unknown key exchange {:?}", f[4])))?;
        let bits: u16 = f[7]
            .parse()
            .map_err(|_| err(format!("bits {:?} is not a number", f[7])))?;
        let export = match f[9] {
            "0" => false,
            "1" => true,
            other => return Err(err(format!("export flag {other:?} must be 0 or 1"))),
        };
        if out
            .iter()
            .any(|s| s.code == code && s.is_sslv2() == (min_protocol == Version::Ssl2))
        {
            return Err(err(format!("duplicate code {}", f[0])));
        }
        out.push(CipherSuite {
            code,
            iana: f[1],
            openssl: f[2],
            min_protocol,
            kx,
            kx_label: f[4],
            auth: f[5],
            cipher: f[6],
            bits,
            mac: f[8],
            export,
        });
    }
    Ok(out)
}

/// The embedded table, parsed once; the error names the offending line.
pub fn load() -> Result<&'static [CipherSuite], &'static TableError> {
    static TABLE: OnceLock<Result<Vec<CipherSuite>, TableError>> = OnceLock::new();
    TABLE
        .get_or_init(|| parse_table(TABLE_CSV))
        .as_ref()
        .map(Vec::as_slice)
}

/// The embedded table. [`crate::scan`] calls [`load`] first and reports a broken table as an error, so this
/// panic can only fire for callers that skip that check; the unit test below keeps the shipped file valid.
pub fn table() -> &'static [CipherSuite] {
    match load() {
        Ok(t) => t,
        Err(e) => panic!("embedded {e}"),
    }
}

/// Looks a 16-bit suite up.
pub fn by_code(code: u16) -> Option<&'static CipherSuite> {
    table()
        .iter()
        .find(|s| s.code == u32::from(code) && !s.is_sslv2())
}

/// Looks a suite up by IANA or OpenSSL name.
pub fn by_name(name: &str) -> Option<&'static CipherSuite> {
    table()
        .iter()
        .find(|s| s.iana == name || (!s.openssl.is_empty() && s.openssl == name))
}

/// Suite codes worth offering for `version` (SSLv3–TLS 1.2 share the 16-bit space; TLS 1.3 has its own).
pub fn offer_list(version: Version) -> Vec<u16> {
    table()
        .iter()
        .filter(|s| match version {
            Version::Ssl2 => false,
            Version::Tls13 => s.is_tls13(),
            // Offer TLS 1.2-only suites in older hellos too: a conforming server ignores them, and
            // some broken servers pick them anyway, which is worth knowing.
            _ => !s.is_tls13() && !s.is_sslv2(),
        })
        .filter_map(|s| u16::try_from(s.code).ok())
        .collect()
}

/// SSLv2 cipher specs to offer in the SSLv2 probe.
pub fn sslv2_specs() -> Vec<u32> {
    table()
        .iter()
        .filter(|s| s.is_sslv2())
        .map(|s| s.code)
        .collect()
}

/// Named groups: (code, name, strength in RSA-equivalent bits for grading).
pub const GROUPS: &[(u16, &str, u32)] = &[
    (0x001d, "x25519", 3072),
    (0x0017, "secp256r1", 3072),
    (0x0018, "secp384r1", 7680),
    (0x0019, "secp521r1", 15360),
    (0x001e, "x448", 7680),
    (0x11ec, "X25519MLKEM768", 3072),
    (0x11eb, "SecP256r1MLKEM768", 3072),
    (0x11ed, "SecP384r1MLKEM1024", 7680),
    (0x0100, "ffdhe2048", 2048),
    (0x0101, "ffdhe3072", 3072),
    (0x0102, "ffdhe4096", 4096),
    (0x0103, "ffdhe6144", 6144),
    (0x0104, "ffdhe8192", 8192),
    (0x001a, "brainpoolP256r1", 3072),
    (0x001b, "brainpoolP384r1", 7680),
    (0x001c, "brainpoolP512r1", 15360),
    (0x001f, "brainpoolP256r1tls13", 3072),
    (0x0020, "brainpoolP384r1tls13", 7680),
    (0x0021, "brainpoolP512r1tls13", 15360),
    (0x0016, "secp256k1", 3072),
    (0x0015, "secp224r1", 2048),
    (0x0014, "secp224k1", 2048),
    (0x0013, "secp192r1", 1536),
    (0x0012, "secp192k1", 1536),
    (0x0011, "secp160r2", 1024),
    (0x0010, "secp160r1", 1024),
    (0x000f, "secp160k1", 1024),
    (0x000e, "sect571r1", 15360),
    (0x000d, "sect571k1", 15360),
    (0x000c, "sect409r1", 7680),
    (0x000b, "sect409k1", 7680),
    (0x000a, "sect283r1", 3072),
    (0x0009, "sect283k1", 3072),
    (0x0008, "sect239k1", 2048),
    (0x0007, "sect233r1", 2048),
    (0x0006, "sect233k1", 2048),
    (0x0005, "sect193r2", 1536),
    (0x0004, "sect193r1", 1536),
    (0x0003, "sect163r2", 1024),
    (0x0002, "sect163r1", 1024),
    (0x0001, "sect163k1", 1024),
];

/// Name of a group code.
pub fn group_name(code: u16) -> String {
    GROUPS
        .iter()
        .find(|g| g.0 == code)
        .map(|g| g.1.to_string())
        .unwrap_or_else(|| format!("0x{code:04x}"))
}

/// RSA-equivalent strength of a group, for grading.
pub fn group_strength(code: u16) -> u32 {
    GROUPS.iter().find(|g| g.0 == code).map_or(2048, |g| g.2)
}

/// Signature algorithms offered in probes, broad so old and new servers both find one.
pub const SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401,
    0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202, 0x0402, 0x0502, 0x0602, 0x0101,
    0x0102,
];

/// Signature scheme names (RFC 8446 and the TLS 1.2 hash/signature pairs).
pub const SIGNATURE_SCHEME_NAMES: &[(u16, &str)] = &[
    (0x0101, "rsa_md5"),
    (0x0102, "dsa_md5"),
    (0x0201, "rsa_pkcs1_sha1"),
    (0x0202, "dsa_sha1"),
    (0x0203, "ecdsa_sha1"),
    (0x0301, "rsa_sha224"),
    (0x0302, "dsa_sha224"),
    (0x0303, "ecdsa_sha224"),
    (0x0401, "rsa_pkcs1_sha256"),
    (0x0402, "dsa_sha256"),
    (0x0403, "ecdsa_secp256r1_sha256"),
    (0x0501, "rsa_pkcs1_sha384"),
    (0x0502, "dsa_sha384"),
    (0x0503, "ecdsa_secp384r1_sha384"),
    (0x0601, "rsa_pkcs1_sha512"),
    (0x0602, "dsa_sha512"),
    (0x0603, "ecdsa_secp521r1_sha512"),
    (0x0804, "rsa_pss_rsae_sha256"),
    (0x0805, "rsa_pss_rsae_sha384"),
    (0x0806, "rsa_pss_rsae_sha512"),
    (0x0807, "ed25519"),
    (0x0808, "ed448"),
    (0x0809, "rsa_pss_pss_sha256"),
    (0x080a, "rsa_pss_pss_sha384"),
    (0x080b, "rsa_pss_pss_sha512"),
];

/// Name of a signature scheme, or its hex code.
pub fn signature_scheme_name(code: u16) -> String {
    SIGNATURE_SCHEME_NAMES
        .iter()
        .find(|s| s.0 == code)
        .map_or_else(|| format!("0x{code:04x}"), |s| s.1.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses_and_is_complete() {
        let t = table();
        assert!(t.len() > 350, "only {} rows", t.len());
        let gcm = by_code(0xC02F).expect("ECDHE-RSA-AES128-GCM-SHA256");
        assert_eq!(gcm.iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(gcm.openssl, "ECDHE-RSA-AES128-GCM-SHA256");
        assert!(gcm.is_aead() && gcm.forward_secrecy() && !gcm.is_weak());
        let des3 = by_name("DES-CBC3-SHA").expect("3DES");
        assert_eq!(des3.code, 0x000A);
        assert!(des3.is_64bit_block() && des3.is_cbc() && !des3.forward_secrecy());
        assert!(by_code(0x0004).expect("RC4-MD5").is_rc4());
        assert!(by_code(0x0003).expect("EXP-RC4-MD5").export);
        assert!(by_code(0x0018).expect("ADH-RC4-MD5").is_anon());
        assert!(by_code(0x0081).is_some(), "GOST suite");
        assert_eq!(offer_list(Version::Tls13).len(), 5);
        assert!(offer_list(Version::Tls12).len() > 300);
        assert!(!sslv2_specs().is_empty());
    }

    #[test]
    fn bad_rows_give_clear_errors() {
        let e = parse_table("code,x\n0x00ZZ,A,B,SSLv3,RSA,RSA,AES,128,SHA1,0\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("hexadecimal"), "{e}");
        let e = parse_table("0x002F,A,B,SSLv3,RSA,RSA,AES,128,SHA1\n").unwrap_err();
        assert!(e.to_string().contains("line 1: expected 10 fields"), "{e}");
        let e = parse_table("0x002F,A,B,TLSv9,RSA,RSA,AES,128,SHA1,0\n").unwrap_err();
        assert!(e.reason.contains("protocol"));
        let e = parse_table("0x002F,A,B,SSLv3,XX,RSA,AES,128,SHA1,0\n").unwrap_err();
        assert!(e.reason.contains("key exchange"));
        let e = parse_table(
            "0x002F,A,B,SSLv3,RSA,RSA,AES,x,SHA1,0\n0x002F,A,B,SSLv3,RSA,RSA,AES,1,SHA1,0",
        )
        .unwrap_err();
        assert!(e.reason.contains("bits"));
    }
}
