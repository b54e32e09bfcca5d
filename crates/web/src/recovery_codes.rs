//! One-time recovery codes: ten per second factor, each usable once at sign-in in place of a code from the
//! authenticator app (a lost or broken phone). A code is 16 characters from an alphabet without look-alikes
//! (about 79 bits), shown once in groups of four; only a hash keyed with the server secret and bound to the
//! account is stored, so a copy of the table opens nothing and a code of one account is nothing on another.

use rand::Rng;
use rand::seq::IndexedRandom;

use crate::security;

pub const COUNT: usize = 10;
const LENGTH: usize = 16;
/// No 0/o, 1/l/i: a code read from paper is typed back right.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Fresh codes, as shown to the user ("abcd-efgh-jkmn-pqrs").
pub fn generate(rng: &mut impl Rng) -> Vec<String> {
    (0..COUNT)
        .map(|_| {
            let chars: Vec<u8> = (0..LENGTH).filter_map(|_| ALPHABET.choose(rng).copied()).collect();
            chars.chunks(4).map(|group| String::from_utf8_lossy(group).into_owned()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// A typed code in its stored form: spaces and hyphens dropped, lower case; `None` when it cannot be a code.
pub fn normalize(typed: &str) -> Option<String> {
    if typed.len() > 64 {
        return None;
    }
    let code: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// What is stored of a code (normalized) of account `user`.
pub fn hash(secret: &[u8; 32], user: i64, code: &str) -> Vec<u8> {
    security::form_token(secret, "recovery-code", &format!("{user}:{code}")).into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_are_distinct_readable_and_typed_back_in_any_form() {
        let codes = generate(&mut rand::rng());
        assert_eq!(codes.len(), COUNT);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 19, "{code}");
            assert_eq!(code.matches('-').count(), 3);
            let plain = normalize(code).unwrap();
            assert_eq!(normalize(&code.to_uppercase()), Some(plain.clone()));
            assert_eq!(normalize(&format!(" {} ", code.replace('-', " "))), Some(plain.clone()));
            assert!(!plain.contains(['0', 'o', '1', 'l', 'i']));
        }
    }

    #[test]
    fn what_cannot_be_a_code_is_refused() {
        for bad in
            ["", "123456", "abcd-efgh-jkmn-pqr", "abcd-efgh-jkmn-pqrst", "abcd-efgh-jkmn-pqr0", "ä".repeat(16).as_str()]
        {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
        assert_eq!(normalize(&"a".repeat(100)), None);
    }

    #[test]
    fn hashes_are_bound_to_the_secret_and_the_account() {
        let code = "abcdefghjkmnpqrs";
        let h = hash(&[1; 32], 7, code);
        assert_eq!(h, hash(&[1; 32], 7, code));
        assert_ne!(h, hash(&[2; 32], 7, code), "another server secret");
        assert_ne!(h, hash(&[1; 32], 8, code), "another account");
        assert_ne!(h, hash(&[1; 32], 7, "abcdefghjkmnpqrt"));
    }
}
