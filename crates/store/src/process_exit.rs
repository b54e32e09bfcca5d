//! Keeping the encryption library alive until the process is gone.
//!
//! SQLCipher encrypts with the system's OpenSSL, which by default frees its global state from an `atexit`
//! handler. sqlx closes each SQLite connection on a worker thread of its own and does not join those threads, so a
//! command that finishes (and so calls `exit`) can run that handler while a worker thread is still releasing its
//! OpenSSL thread state. The two free the same memory: CI saw `alliance audit verify` die with "double free or
//! corruption" after it had printed its verdict. OpenSSL's maintainers describe the handler as a convenience for
//! leak checkers; the operating system reclaims the memory anyway (openssl/openssl#6214, #8702). This asks
//! OpenSSL not to register it.

use std::ffi::{c_int, c_void};

/// `OPENSSL_INIT_NO_ATEXIT` from OpenSSL's `crypto.h` (1.1.1 and 3.x).
const OPENSSL_INIT_NO_ATEXIT: u64 = 0x0008_0000;

#[allow(unsafe_code)]
unsafe extern "C" {
    // libcrypto is linked by libsqlite3-sys's SQLCipher build.
    fn OPENSSL_init_crypto(opts: u64, settings: *const c_void) -> c_int;
}

/// Tells OpenSSL not to free its state at process exit. Call it first thing in `main`, before any database is
/// opened: OpenSSL decides once, at its first initialisation. Returns whether OpenSSL accepted.
#[allow(unsafe_code)]
pub fn keep_crypto_state_until_exit() -> bool {
    // SAFETY: a documented OpenSSL entry point, called with a valid option and no settings (null is allowed); it
    // has no preconditions and is safe to call from any thread, any number of times.
    unsafe { OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, std::ptr::null()) == 1 }
}

/// The same, once per process, from the store itself before it opens a SQLite connection: programs that do not
/// call it first thing (test binaries, other embedders) are covered too. A no-op when `main` already did.
pub(crate) fn before_first_connection() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        keep_crypto_state_until_exit();
    });
}
