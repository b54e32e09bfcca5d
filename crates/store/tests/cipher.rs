//! The field cipher: the published XChaCha20-Poly1305 vector, round trips, and refusal of every change.

use alliance_store::Keyring;
use alliance_store::cipher::{self, CLIENT_CONTACT, CLIENT_PSEUDONYM, KeyError, USER_EMAIL};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

fn hex(text: &str) -> Vec<u8> {
    let clean: String = text.split_whitespace().collect();
    (0..clean.len()).step_by(2).map(|i| u8::from_str_radix(&clean[i..i + 2], 16).unwrap()).collect()
}

/// draft-irtf-cfrg-xchacha-03, appendix A.3.1: the crate, called as the store calls it, gives the published
/// ciphertext and tag, and opens them again.
#[test]
fn xchacha20_poly1305_matches_the_published_vector() {
    let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, \
                      sunscreen would be it.";
    let aad = hex("50515253c0c1c2c3c4c5c6c7");
    let key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    let nonce = hex("404142434445464748494a4b4c4d4e4f5051525354555657");
    let expected = hex("bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
         731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
         2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
         21f9664c97637da9768812f615c68b13b52e
         c0875924c1c7987947deafd8780acf49");
    let cipher = XChaCha20Poly1305::new(key.as_slice().into());
    let sealed = cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &aad }).unwrap();
    assert_eq!(sealed, expected);
    let opened = cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &expected, aad: &aad }).unwrap();
    assert_eq!(opened, plaintext);
}

#[test]
fn a_sealed_field_opens_to_what_was_sealed_and_shows_nothing_of_it() {
    let keys = Keyring::generate();
    for text in ["Zebulon Quartermaine", "", "é ü 日本 \u{0}", &"x".repeat(100_000)] {
        let sealed = keys.seal(CLIENT_PSEUDONYM, 7, text);
        assert!(sealed.starts_with("v1:"), "{sealed}");
        if !text.is_empty() {
            assert!(!sealed.contains(text));
        }
        assert_eq!(keys.open(CLIENT_PSEUDONYM, 7, &sealed).unwrap(), text);
    }
    // A fresh nonce each time: the same value never seals alike.
    assert_ne!(keys.seal(CLIENT_PSEUDONYM, 7, "same"), keys.seal(CLIENT_PSEUDONYM, 7, "same"));
    assert_eq!(keys.open_opt(CLIENT_CONTACT, 7, None).unwrap(), None);
}

#[test]
fn any_change_to_a_sealed_field_is_refused() {
    let keys = Keyring::generate();
    let sealed = keys.seal(CLIENT_PSEUDONYM, 7, "Zebulon Quartermaine");
    let refused = KeyError::Refused { table: "clients", column: "pseudonym", row: 7 };
    // Every byte of nonce, ciphertext and tag, changed one at a time.
    let body = STANDARD.decode(&sealed[3..]).unwrap();
    for i in 0..body.len() {
        let mut changed = body.clone();
        changed[i] ^= 0x01;
        let stored = format!("v1:{}", STANDARD.encode(&changed));
        assert_eq!(keys.open(CLIENT_PSEUDONYM, 7, &stored), Err(refused.clone()), "byte {i}");
    }
    // Moved to another row, another column, another table.
    assert!(matches!(keys.open(CLIENT_PSEUDONYM, 8, &sealed), Err(KeyError::Refused { row: 8, .. })));
    assert!(matches!(keys.open(CLIENT_CONTACT, 7, &sealed), Err(KeyError::Refused { column: "contact", .. })));
    assert!(matches!(keys.open(USER_EMAIL, 7, &sealed), Err(KeyError::Refused { table: "users", .. })));
    // Another key of the same version, and a version the keyring does not hold.
    assert_eq!(Keyring::generate().open(CLIENT_PSEUDONYM, 7, &sealed), Err(refused.clone()));
    let rotated = keys.with_new_version();
    let relabelled = format!("v2:{}", &sealed[3..]);
    assert_eq!(rotated.open(CLIENT_PSEUDONYM, 7, &relabelled), Err(refused.clone()));
    assert_eq!(keys.open(CLIENT_PSEUDONYM, 7, &relabelled), Err(KeyError::UnknownVersion(2)));
    // Truncated, not base64, no version, plaintext.
    for stored in [&sealed[..sealed.len() - 4], "v1:%%%", "v1:", "Zebulon", "v:abc", "vx:abc", ""] {
        assert!(keys.open(CLIENT_PSEUDONYM, 7, stored).is_err(), "{stored:?} opened");
    }
}

#[test]
fn older_versions_still_open_and_the_newest_writes() {
    let v1 = Keyring::generate();
    let old = v1.seal(CLIENT_PSEUDONYM, 1, "old");
    let v2 = v1.with_new_version();
    assert_eq!(v2.versions(), vec![1, 2]);
    let new = v2.seal(CLIENT_PSEUDONYM, 1, "new");
    assert_eq!(cipher::version_of(&new), Some(2));
    assert_eq!(v2.open(CLIENT_PSEUDONYM, 1, &old).unwrap(), "old");
    let retired = v2.without_version(1).unwrap();
    assert_eq!(retired.open(CLIENT_PSEUDONYM, 1, &old), Err(KeyError::UnknownVersion(1)));
    assert_eq!(retired.open(CLIENT_PSEUDONYM, 1, &new).unwrap(), "new");
    assert_eq!(v2.without_version(2).unwrap_err(), KeyError::NewestVersion(2));
    assert_eq!(v2.without_version(9).unwrap_err(), KeyError::UnknownVersion(9));
}

#[test]
fn the_key_file_round_trips_and_bad_files_are_refused_without_echoing_keys() {
    let keys = Keyring::generate().with_new_version();
    let text = keys.to_file_text();
    let again = Keyring::parse(&text).unwrap();
    assert_eq!(again.versions(), vec![1, 2]);
    assert_eq!(again.sqlcipher_key_hex().as_str(), keys.sqlcipher_key_hex().as_str());
    let sealed = keys.seal(CLIENT_PSEUDONYM, 3, "kept");
    assert_eq!(again.open(CLIENT_PSEUDONYM, 3, &sealed).unwrap(), "kept");

    let secret = STANDARD.encode([7u8; 32]);
    let short = STANDARD.encode([7u8; 16]);
    let cases: Vec<(String, KeyError)> = vec![
        (format!("v1 {secret}\n"), KeyError::NoDatabaseKey),
        (format!("db {secret}\n"), KeyError::NoFieldKey),
        (format!("db {secret}\nv1 {short}\n"), KeyError::Format { line: 2, why: "a key must be 32 bytes" }),
        (format!("db {secret}\nv1 not-base64!\n"), KeyError::Format { line: 2, why: "the key is not base64" }),
        (
            format!("db {secret}\nv1 {secret}\nv1 {secret}\n"),
            KeyError::Format { line: 3, why: "this version appears twice" },
        ),
        (format!("db {secret}\ndb {secret}\nv1 {secret}\n"), KeyError::Format { line: 2, why: "a second `db` line" }),
        (
            format!("db {secret}\nv0 {secret}\n"),
            KeyError::Format { line: 2, why: "expected `db` or a version such as `v1`" },
        ),
        (
            format!("db {secret}\nkey {secret}\n"),
            KeyError::Format { line: 2, why: "expected `db` or a version such as `v1`" },
        ),
        (format!("db {secret} extra\n"), KeyError::Format { line: 1, why: "expected a name and a base64 key" }),
        ("x".repeat(cipher::MAX_KEY_FILE_BYTES + 1), KeyError::TooLarge),
    ];
    for (text, expected) in cases {
        let err = Keyring::parse(&text).unwrap_err();
        assert_eq!(err, expected);
        assert!(!err.to_string().contains(&secret) && !err.to_string().contains(&short));
    }
    // Comments and blank lines are fine.
    assert!(Keyring::parse(&format!("# keys\n\ndb {secret}\n  v1 {secret}  \n")).is_ok());
}

/// The blind index is HMAC-SHA-256 of the trimmed, lowercased address under a key HKDF-SHA-256 derives from the
/// database secret (recomputed here step by step), never the secret itself.
#[test]
fn the_email_index_is_an_hmac_of_the_normalised_address() {
    use hmac::Mac;
    let keys = Keyring::generate();
    assert_eq!(keys.email_index(" Zebulon.Q@Example.ORG "), keys.email_index("zebulon.q@example.org"));
    assert_ne!(keys.email_index("a@example.org"), keys.email_index("b@example.org"));
    assert_ne!(keys.email_index("a@example.org"), Keyring::generate().email_index("a@example.org"));
    let secret = STANDARD.encode([9u8; 32]);
    let fixed = Keyring::parse(&format!("db {secret}\nv1 {secret}\n")).unwrap();
    let mut derived = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(None, &[9u8; 32]).expand(b"alliance email blind index", &mut derived).unwrap();
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&derived).unwrap();
    mac.update(b"a@example.org");
    assert_eq!(fixed.email_index("A@Example.org"), mac.finalize().into_bytes().to_vec());
}

/// Research ids (issue 19): an HMAC of the record's kind and id under a key derived from the database secret,
/// recomputed here step by step; the same for the same practice, different for another practice's key.
#[test]
fn research_ids_are_keyed_hashes_stable_per_practice() {
    use hmac::Mac;
    let keys = Keyring::generate();
    assert_eq!(keys.research_index("client", 7), keys.research_index("client", 7));
    assert_ne!(keys.research_index("client", 7), keys.research_index("client", 8));
    assert_ne!(keys.research_index("client", 7), keys.research_index("therapist", 7));
    assert_ne!(keys.research_index("client", 7), Keyring::generate().research_index("client", 7));
    assert_eq!(
        keys.research_index("client", 7),
        keys.with_new_version().research_index("client", 7),
        "a field key rotation keeps them"
    );
    let secret = STANDARD.encode([5u8; 32]);
    let fixed = Keyring::parse(&format!("db {secret}\nv1 {secret}\n")).unwrap();
    let mut derived = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(None, &[5u8; 32]).expand(b"alliance research id", &mut derived).unwrap();
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&derived).unwrap();
    mac.update(b"client\0");
    mac.update(&7i64.to_be_bytes());
    assert_eq!(fixed.research_index("client", 7), mac.finalize().into_bytes().to_vec());
}
