//! One's own active sign-ins on the account page (OWASP ASVS 3.3.4): when each started, when it was last used,
//! the browser (a short summary of its user-agent) and the address it signed in from, the current one marked,
//! and a way to end each. Only one's own: the list and the ending are both scoped to the signed-in user.

use alliance_store::LoginSummary;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::show_time;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::security;
use crate::state::AppState;

/// A sign-in as the account page lists it.
pub struct SignInRow {
    /// Names the sign-in in the form: a hash of the stored hash, so the page never carries what the database
    /// looks sign-ins up by.
    pub handle: String,
    pub started: String,
    pub last_used: String,
    pub browser: String,
    pub address: String,
    pub current: bool,
}

fn handle(token_hash: &[u8]) -> String {
    let mut digest = Sha256::new();
    digest.update(b"alliance sign-in handle\0");
    digest.update(token_hash);
    URL_SAFE_NO_PAD.encode(&digest.finalize()[..16])
}

/// The user's active sign-ins, newest first.
pub async fn rows(state: &AppState, who: &SignedIn) -> Result<Vec<SignInRow>, WebError> {
    let logins = state.store.logins_of(who.user.id, state.now()).await?;
    Ok(logins
        .into_iter()
        .map(|l: LoginSummary| SignInRow {
            handle: handle(&l.token_hash),
            started: show_time(l.created_at, &who.zone),
            last_used: show_time(l.last_seen_at, &who.zone),
            browser: l
                .browser
                .map_or_else(|| crate::language::current().t("account-not-recorded"), |b| shown_browser(&b)),
            address: l.address.unwrap_or_else(|| crate::language::current().t("account-not-recorded")),
            current: l.token_hash == who.login_hash,
        })
        .collect())
}

/// A stored browser summary in the reader's words: "Firefox on Linux" is stored in English at sign-in.
fn shown_browser(stored: &str) -> String {
    let tr = crate::language::current();
    if stored == UNKNOWN_BROWSER {
        return tr.t("account-unknown-browser");
    }
    match stored.split_once(" on ") {
        Some((browser, system)) => tr.t2("account-browser-on", "browser", browser, "system", system),
        None => stored.to_owned(),
    }
}

const UNKNOWN_BROWSER: &str = "An unknown browser";

/// A short, harmless summary of a user-agent header ("Firefox on Linux"): what a person recognises, without the
/// version details that would make the list a fingerprint, and nothing of what a hostile header may carry.
pub fn browser_summary(headers: &HeaderMap) -> String {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let agent = agent.get(..agent.len().min(512)).unwrap_or("");
    // Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(marker, _)| agent.contains(marker))
    .map_or(UNKNOWN_BROWSER, |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| *name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

/// Ends one of the user's sign-ins (field `sign_in`, a handle from the list). Ending the current one signs out.
/// A handle that names none of the user's sign-ins (another user's, already ended, made up) changes nothing.
pub async fn end_sign_in(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let wanted = form.one("sign_in")?.unwrap_or("").to_owned();
    let logins = state.store.logins_of(who.user.id, state.now()).await?;
    let Some(login) = logins.iter().find(|l| security::same_token(&handle(&l.token_hash), &wanted)) else {
        return Err(WebError::BadRequest(crate::language::current().t("account-sign-in-ended")));
    };
    state.store.end_login_of(who.user.id, &login.token_hash).await?;
    let mut event = who.audit(state.now(), "sign-out-one", "account", Some(who.user.id.0));
    event.purpose = "authentication";
    state.store.audit(event).await?;
    if login.token_hash == who.login_hash {
        let mut response = Redirect::to("/login").into_response();
        response.headers_mut().insert(
            header::SET_COOKIE,
            security::set_cookie(security::SESSION_COOKIE, "", security::Lifetime::Remove, state.config.https()),
        );
        return Ok(response);
    }
    Ok(Redirect::to("/account").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn summary(agent: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(header::USER_AGENT, HeaderValue::from_str(agent).unwrap_or(HeaderValue::from_static("")));
        browser_summary(&headers)
    }

    #[test]
    fn user_agents_are_summarised_without_versions() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0.0.0 Safari/537.36";
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like \
                      Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(summary(firefox), "Firefox on Linux");
        assert_eq!(summary(chrome), "Chrome on Windows");
        assert_eq!(summary(edge), "Edge on Windows");
        assert_eq!(summary(iphone), "Safari on iPhone");
        assert_eq!(summary(""), "An unknown browser");
        assert_eq!(summary("<script>alert(1)</script>"), "An unknown browser", "nothing of the header is echoed");
        assert_eq!(browser_summary(&HeaderMap::new()), "An unknown browser");
    }

    #[test]
    fn handles_differ_per_sign_in_and_do_not_reveal_the_stored_hash() {
        let (a, b) = (handle(&[1; 32]), handle(&[2; 32]));
        assert_ne!(a, b);
        assert!(!a.contains(&URL_SAFE_NO_PAD.encode([1u8; 32])));
        assert_eq!(a, handle(&[1; 32]), "stable, so the page's form names the same sign-in");
    }
}
