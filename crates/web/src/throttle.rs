//! Slowing down password and code guessing, shared by every app server through the database.
//!
//! Design:
//! - **Per address**: at most [`ADDRESS_BUDGET`] attempts that did not succeed per [`ADDRESS_WINDOW`] from one
//!   network address (a practice behind one router shares it, hence the high budget). Successful attempts are
//!   given back.
//! - **Per account** (keyed by the typed e-mail address, so unknown accounts behave exactly like known ones):
//!   the first [`FREE_FAILURES`] failures cost nothing; after `n >= 5` consecutive failures the next attempt must
//!   wait `2^(n-5)` seconds, at most [`MAX_DELAY`]. While the wait lasts, an attempt is refused with 429 and
//!   `Retry-After` *before* the password is checked, so a guess during the wait tells the attacker nothing.
//!   A success clears the count; a count untouched for a day is forgotten.
//! - **Device cookies** (OWASP "device cookies"): a successful sign-in leaves a signed cookie naming the account
//!   in that browser. Its holder is exempt from the account's delay and from the address budget, and the cookie
//!   is checked first (an attacker elsewhere, or at the same practice router or proxy, cannot lock a clinician
//!   out of their own computer); its own failures are counted under the device with the same growing delay, so
//!   a stolen device cookie is no faster than none.
//! - **The address** is the client's as `client.rs` resolves it: behind a trusted proxy (`--trusted-proxies`)
//!   the forwarded client, never the proxy that everyone shares.
//! - **Second factor**: code failures are counted per account under their own key, with the same rule, and are
//!   cleared only by a complete sign-in (knowing the password does not reset the code count).
//! - **Re-entry of the password** by a signed-in user counts under its own key (an outsider's failures do not
//!   block a clinician's export) and also adds to the account's sign-in count.
//!
//! Each attempt is counted *before* the slow check, with a compare-and-swap on the stored counter: two app
//! servers receiving attempts at the same moment cannot both take the same free slot.

use alliance_store::ThrottleState;
use time::{Duration, OffsetDateTime};

use crate::error::WebError;
use crate::state::AppState;

pub const FREE_FAILURES: i64 = 5;
pub const MAX_DELAY: Duration = Duration::minutes(15);
pub const ADDRESS_BUDGET: i64 = 50;
pub const ADDRESS_WINDOW: Duration = Duration::minutes(15);
/// A streak of failures untouched for this long is forgotten (and its row deleted by `serve`'s daily
/// housekeeping; every other rule's window is shorter).
pub const FORGET_AFTER: Duration = Duration::days(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Growing delays after a few failures (accounts, devices, codes, re-entry).
    Growing,
    /// A fixed budget per window (addresses).
    Budget,
}

/// A counter's name: a keyed hash, so the table holds no e-mail or network address.
pub fn key(state: &AppState, kind: &str, subject: &str) -> Vec<u8> {
    crate::security::form_token(&state.secret, "sign-in-throttle", &format!("{kind}\0{subject}")).into_bytes()
}

/// The wait after `failures` consecutive failures.
pub fn delay_after(failures: i64) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let exponent = u32::try_from(failures - FREE_FAILURES).unwrap_or(u32::MAX).min(20);
    Duration::seconds(1i64 << exponent).min(MAX_DELAY)
}

/// The counter after one more attempt, or the seconds still to wait when `enforce` and the counter is blocked.
fn next(rule: Rule, old: Option<ThrottleState>, now: OffsetDateTime, enforce: bool) -> Result<ThrottleState, i64> {
    let wait = |until: OffsetDateTime| (until - now).whole_seconds().max(1);
    match rule {
        Rule::Growing => {
            let old = old.filter(|o| now - o.window_start < FORGET_AFTER);
            let failures = old.map_or(0, |o| o.failures);
            if let Some(o) = old.filter(|o| enforce && o.blocked_until > now) {
                return Err(wait(o.blocked_until));
            }
            let failures = failures + 1;
            Ok(ThrottleState { failures, window_start: now, blocked_until: now + delay_after(failures) })
        }
        Rule::Budget => {
            let current = old.filter(|o| now < o.window_start + ADDRESS_WINDOW);
            let (failures, start) = current.map_or((0, now), |o| (o.failures, o.window_start));
            if enforce && failures >= ADDRESS_BUDGET {
                return Err(wait(start + ADDRESS_WINDOW));
            }
            let failures = failures + 1;
            let blocked_until = if failures >= ADDRESS_BUDGET { start + ADDRESS_WINDOW } else { start };
            Ok(ThrottleState { failures, window_start: start, blocked_until })
        }
    }
}

/// Counts one attempt under `key`. `Ok(Err(seconds))` when it must wait (with `enforce`), nothing counted then.
pub async fn claim(
    state: &AppState,
    key: &[u8],
    rule: Rule,
    now: OffsetDateTime,
    enforce: bool,
) -> Result<Result<(), i64>, WebError> {
    // Counters are stored in whole seconds: count in whole seconds too.
    let now = now.replace_nanosecond(0).unwrap_or(now);
    // A lost compare-and-swap means another request counted first: read again and retry.
    for _ in 0..8 {
        let old = state.store.throttle(key).await?;
        let new = match next(rule, old, now, enforce) {
            Ok(new) => new,
            Err(wait) => return Ok(Err(wait)),
        };
        if state.store.update_throttle(key, old.as_ref(), &new).await? {
            return Ok(Ok(()));
        }
    }
    Ok(Err(1))
}

/// Gives one attempt back (a success from an address).
pub async fn refund(state: &AppState, key: &[u8]) -> Result<(), WebError> {
    for _ in 0..8 {
        let Some(old) = state.store.throttle(key).await? else { return Ok(()) };
        if old.failures <= 0 {
            return Ok(());
        }
        let failures = old.failures - 1;
        let blocked_until = if failures >= ADDRESS_BUDGET { old.blocked_until } else { old.window_start };
        let new = ThrottleState { failures, window_start: old.window_start, blocked_until };
        if state.store.update_throttle(key, Some(&old), &new).await? {
            return Ok(());
        }
    }
    Ok(())
}

pub async fn clear(state: &AppState, key: &[u8]) -> Result<(), WebError> {
    Ok(state.store.clear_throttle(key).await?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const T0: OffsetDateTime = time::macros::datetime!(2026-11-28 10:00 UTC);

    #[test]
    fn delays_double_after_five_failures_up_to_fifteen_minutes() {
        let expected = [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900];
        for (n, secs) in expected.iter().enumerate() {
            assert_eq!(delay_after(n as i64), Duration::seconds(*secs), "after {n}");
        }
        assert_eq!(delay_after(i64::MAX), MAX_DELAY);
    }

    #[test]
    fn a_blocked_counter_refuses_until_its_time() {
        let mut state = None;
        for _ in 0..5 {
            state = Some(next(Rule::Growing, state, T0, true).unwrap());
        }
        assert_eq!(next(Rule::Growing, state, T0, true), Err(1));
        assert!(next(Rule::Growing, state, T0 + Duration::seconds(1), true).is_ok());
        // Not enforced (counting only): always counts.
        assert_eq!(next(Rule::Growing, state, T0, false).unwrap().failures, 6);
        // Forgotten after a day.
        assert_eq!(next(Rule::Growing, state, T0 + Duration::days(1), true).unwrap().failures, 1);
    }

    #[test]
    fn the_address_budget_resets_with_its_window() {
        let mut state = None;
        for _ in 0..ADDRESS_BUDGET {
            state = Some(next(Rule::Budget, state, T0, true).unwrap());
        }
        assert_eq!(next(Rule::Budget, state, T0 + Duration::minutes(14), true), Err(60));
        assert_eq!(next(Rule::Budget, state, T0 + Duration::minutes(15), true).unwrap().failures, 1);
    }
}
