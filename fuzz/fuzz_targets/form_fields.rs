//! Decoding any URL-encoded form body, then reading it the way handlers do.
#![no_main]

use alliance_web::fuzzing::FormFields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut form) = FormFields::decode(data) {
        assert!(form.0.len() <= 500);
        let names: Vec<String> = form.0.iter().map(|(k, _)| k.clone()).collect();
        for name in &names {
            let repeated = names.iter().filter(|n| *n == name).count() > 1;
            assert_eq!(form.one(name).is_err(), repeated);
            assert_eq!(form.all(name).count(), names.iter().filter(|n| *n == name).count());
        }
        let before = form.0.len();
        if form.take_csrf().is_some() {
            assert_eq!(form.0.len(), before - 1);
        }
        let _ = form.pairs().count();
    }
});
