//! The typed TOTP code: parsed strictly, and never matching a secret's codes unless it is six digits.
#![no_main]

use alliance_web::fuzzing::{matching_step, parse_code};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse_code(text) {
        Some(code) => {
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
            let _ = matching_step(b"12345678901234567890", &code, 1_234_567_890);
        }
        None => assert!(matching_step(b"12345678901234567890", text, 1_234_567_890).is_none() || text.len() == 6),
    }
});
