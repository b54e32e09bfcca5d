//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 6 digits, 30-second steps, and a
//! code from the step before or after the current one is accepted for clock drift. Replays are refused by the
//! store, which remembers the last accepted step per account.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
/// 160 bits, the length RFC 4226 recommends for HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;

/// The time step of a Unix time.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The HOTP value of `counter` (RFC 4226 section 5.3: dynamic truncation), with `digits` digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC takes keys of any length, so this cannot fail; an impossible failure yields a value no one types.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else { return u32::MAX };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([hash[offset] & 0x7f, hash[offset + 1], hash[offset + 2], hash[offset + 3]]);
    binary % 10u32.pow(digits.min(9))
}

/// The code for a time step as the user sees it: zero-padded.
pub fn code(secret: &[u8], step: i64, digits: u32) -> String {
    let value = hotp(secret, u64::try_from(step).unwrap_or(0), digits);
    format!("{value:0width$}", width = digits as usize)
}

/// A typed code: six digits, spaces allowed (apps show "123 456"). Anything else is not a code.
pub fn parse_code(input: &str) -> Option<String> {
    if input.len() > 32 {
        return None;
    }
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The step whose code `typed` is, among the current step and its neighbours; `None` if it matches none.
pub fn matching_step(secret: &[u8], typed: &str, unix_seconds: i64) -> Option<i64> {
    let now = step_at(unix_seconds);
    let mut found = None;
    // Compare all three in constant time so the timing does not tell which window matched.
    for step in [now - 1, now, now + 1] {
        if step >= 0 && bool::from(code(secret, step, DIGITS).as_bytes().ct_eq(typed.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

/// RFC 4648 base32 without padding, as authenticator apps expect the secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(char::from(ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize]));
        }
    }
    out
}

/// The `otpauth://` URI authenticator apps read from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let label = format!("{}:{}", percent(issuer), percent(account));
    format!(
        "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        base32(secret),
        percent(issuer)
    )
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows: the secret is the ASCII string "12345678901234567890", 8 digits.
    #[test]
    fn rfc6238_sha1_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code(secret, step_at(time), 8), expected, "T = {time}");
        }
    }

    /// RFC 4226 Appendix D: HOTP values for counters 0..9 with the same secret, 6 digits.
    #[test]
    fn rfc4226_hotp_vectors() {
        let expected = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
        for (counter, value) in expected.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", counter as u64, 6), *value);
        }
    }

    /// RFC 4648 section 10 test vectors (padding removed).
    #[test]
    fn base32_vectors() {
        for (input, output) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(input.as_bytes()), output);
        }
    }

    #[test]
    fn codes_are_parsed_strictly() {
        assert_eq!(parse_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(parse_code("012345").as_deref(), Some("012345"));
        for bad in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦", "+12345", "123456\u{0}"] {
            assert_eq!(parse_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn one_step_of_drift_either_way() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let now = step_at(t);
        for drift in [-1, 0, 1] {
            assert_eq!(matching_step(secret, &code(secret, now + drift, 6), t), Some(now + drift));
        }
        assert_eq!(matching_step(secret, &code(secret, now + 2, 6), t), None);
        assert_eq!(matching_step(secret, &code(secret, now - 2, 6), t), None);
    }

    #[test]
    fn the_uri_names_issuer_account_and_secret() {
        let uri = otpauth_uri("Alliance", "a b@example.org", b"foobar");
        assert_eq!(
            uri,
            "otpauth://totp/Alliance:a%20b@example.org?secret=MZXW6YTBOI&issuer=Alliance&algorithm=SHA1&digits=6&period=30"
        );
    }
}
