//! Signing in (password, then a TOTP code when the account has one) and out, and the signed-in user of a
//! request. How guessing is slowed down is described in `throttle.rs`.

use std::net::SocketAddr;

use alliance_store::{AuditEvent, NewLogin, NewPendingLogin, User, UserId};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::client::ClientAddress;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::local_time::LocalZone;
use crate::recovery_codes;
use crate::security::{self, Lifetime, PRE_LOGIN_COOKIE, SESSION_COOKIE};
use crate::state::AppState;
use crate::throttle::{self, Rule};
use crate::totp;

/// How long a sign-in lasts at most.
pub const LOGIN_LIFETIME: time::Duration = time::Duration::hours(12);
/// A sign-in not used for this long ends.
pub const IDLE_TIMEOUT: time::Duration = time::Duration::minutes(30);
/// Time to type the code after the password was accepted.
const PENDING_LIFETIME: time::Duration = time::Duration::minutes(5);
/// How long a browser stays a known device of an account.
const DEVICE_LIFETIME: time::Duration = time::Duration::days(365);
pub const DEVICE_COOKIE: &str = "alliance_device";
pub const PENDING_COOKIE: &str = "alliance_2fa";

/// Argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's recommended minimum), as a PHC string.
pub fn hash_password(password: &str) -> Result<String, WebError> {
    let salt =
        SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| WebError::Internal(e.to_string().into()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| WebError::Internal(e.to_string().into()))
}

/// Checks a password against a PHC string, with the parameters written in the string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Whether a stored hash was made with other parameters than [`hash_password`] uses today.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return true };
    let Ok(params) = Params::try_from(&parsed) else { return true };
    let current = Params::default();
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(u32::from(Version::V0x13))
        || (params.m_cost(), params.t_cost(), params.p_cost()) != (current.m_cost(), current.t_cost(), current.p_cost())
}

/// A hash of a password nobody has, verified against for unknown accounts so both cases take the same time.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&security::new_token()).unwrap_or_default())
}

/// Verifies off the async workers (Argon2 is deliberately slow); `None` costs the same work and fails.
pub async fn verify_off_thread(password: &str, phc: Option<String>) -> Result<bool, WebError> {
    let attempt = password.to_owned();
    tokio::task::spawn_blocking(move || match phc {
        Some(hash) => verify_password(&attempt, &hash),
        None => {
            verify_password(&attempt, decoy_hash());
            false
        }
    })
    .await
    .map_err(|e| WebError::Internal(Box::new(e)))
}

/// The user behind a request, with the anti-forgery token of their sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub csrf: String,
    pub address: Option<String>,
    /// The stored hash of this sign-in's token (to keep it when signing out the others).
    pub login_hash: Vec<u8>,
    /// The user's time zone: their own choice, else the practice's (`local_time.rs`).
    pub zone: LocalZone,
}

impl SignedIn {
    /// The user's calendar day at `now`, in their time zone: what "today" means on their pages and forms.
    pub fn today(&self, now: time::OffsetDateTime) -> time::Date {
        self.zone.today(now)
    }

    /// Checks the form's anti-forgery token against this sign-in's.
    pub fn check_csrf(&self, form: &mut FormFields) -> Result<(), WebError> {
        match form.take_csrf() {
            Some(token) if security::same_token(&token, &self.csrf) => Ok(()),
            _ => Err(WebError::CrossSite),
        }
    }

    pub fn audit(
        &self,
        at: time::OffsetDateTime,
        action: &'static str,
        kind: &'static str,
        id: Option<i64>,
    ) -> AuditEvent {
        AuditEvent {
            at,
            actor: Some(self.user.id),
            actor_role: Some(self.user.role),
            action,
            object_kind: kind,
            object_id: id,
            purpose: "care",
            address: self.address.clone(),
        }
    }
}

/// The client's address (see `client.rs`: the TCP peer, or what a trusted proxy says).
pub fn client_address(parts: &Parts) -> Option<String> {
    match parts.extensions.get::<ClientAddress>() {
        Some(ClientAddress(address)) => address.map(|a| a.to_string()),
        None => parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip().to_canonical().to_string()),
    }
}

/// The client's address of a request, when the server was started with connection info.
pub struct PeerAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddress(client_address(parts)))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The route guard has already looked the sign-in up.
        if let Some(who) = parts.extensions.get::<SignedIn>() {
            return Ok(who.clone());
        }
        let token = security::read_cookie(&parts.headers, SESSION_COOKIE, state.config.https())
            .ok_or(WebError::SignInRequired)?;
        if !security::looks_like_token(&token) {
            return Err(WebError::SignInRequired);
        }
        let login_hash = security::hash_token(&token);
        let (login, user) = state.store.login(&login_hash, state.now()).await?.ok_or(WebError::SignInRequired)?;
        // A stored name this release no longer knows falls back to the practice's zone rather than failing.
        let zone = user.time_zone.as_deref().and_then(|name| LocalZone::parse(name).ok());
        let zone = zone.unwrap_or_else(|| state.config.time_zone.clone());
        Ok(SignedIn { user, csrf: login.csrf_token, address: client_address(parts), login_hash, zone })
    }
}

/// What the sign-in form sends, decoded: the e-mail address as stored (trimmed, lower case).
#[derive(Debug, PartialEq, Eq)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
}

pub fn sign_in_form(form: &FormFields) -> Result<SignInForm, WebError> {
    let email = form.one("email")?.unwrap_or("").trim().to_lowercase();
    let password = form.one("password")?.unwrap_or("").to_owned();
    Ok(SignInForm { email, password })
}

/// A device cookie: `user.nonce.mac`, the MAC keyed with the server secret.
fn device_cookie(secret: &[u8; 32], user: UserId) -> String {
    let body = format!("{}.{}", user.0, security::new_token());
    format!("{body}.{}", security::form_token(secret, "device", &body))
}

/// The account and nonce of a genuine device cookie; anything else (forged, garbled) is `None`.
pub fn parse_device_cookie(secret: &[u8; 32], value: &str) -> Option<(i64, String)> {
    if value.len() > 160 {
        return None;
    }
    let mut parts = value.split('.');
    let (user, nonce, mac) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !security::looks_like_token(nonce) {
        return None;
    }
    let user: i64 = user.parse().ok()?;
    security::same_token(mac, &security::form_token(secret, "device", &format!("{user}.{nonce}")))
        .then(|| (user, nonce.to_owned()))
}

fn auth_event(
    at: time::OffsetDateTime,
    action: &'static str,
    actor: Option<&User>,
    object: Option<UserId>,
    address: &Option<String>,
) -> AuditEvent {
    AuditEvent {
        at,
        actor: actor.map(|u| u.id),
        actor_role: actor.map(|u| u.role),
        action,
        object_kind: "account",
        object_id: object.or(actor.map(|u| u.id)).map(|id| id.0),
        purpose: "authentication",
        address: address.clone(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    tr: alliance_i18n::Tr,
    csrf: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage<'a> {
    tr: alliance_i18n::Tr,
    csrf: &'a str,
    error: Option<&'a str>,
}

pub async fn login_page(State(state): State<AppState>) -> Result<Response, WebError> {
    let nonce = security::new_token();
    let pre = pre_login_token(&state.secret, &nonce);
    let html = LoginPage { tr: crate::language::current(), csrf: &pre, email: "", error: None }.render()?;
    let mut response = Html(html).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        security::set_cookie(PRE_LOGIN_COOKIE, &nonce, Lifetime::Seconds(3600), state.config.https()),
    );
    Ok(response)
}

/// The sign-in form's anti-forgery token: a keyed hash (server secret) of the random nonce in this browser's
/// cookie. Someone who can plant a cookie cannot make a matching field without the secret (a plain
/// double-submit of one value would let them choose both).
pub fn pre_login_token(secret: &[u8; 32], nonce: &str) -> String {
    security::form_token(secret, "sign-in-form", nonce)
}

/// Login CSRF: the form must carry the token made from the nonce this browser got as a cookie with the sign-in
/// page. Returns the token, for the next form of the sign-in.
fn check_pre_login(state: &AppState, headers: &HeaderMap, form: &mut FormFields) -> Result<String, WebError> {
    let nonce = security::read_cookie(headers, PRE_LOGIN_COOKIE, state.config.https())
        .filter(|n| security::looks_like_token(n))
        .ok_or(WebError::CrossSite)?;
    let expected = pre_login_token(&state.secret, &nonce);
    if !form.take_csrf().is_some_and(|t| security::same_token(&t, &expected)) {
        return Err(WebError::CrossSite);
    }
    Ok(expected)
}

fn address_key(state: &AppState, address: &Option<String>) -> Vec<u8> {
    throttle::key(state, "address", address.as_deref().unwrap_or("unknown"))
}

pub async fn login(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    headers: HeaderMap,
    mut form: FormFields,
) -> Result<Response, WebError> {
    let pre = check_pre_login(&state, &headers, &mut form)?;
    let SignInForm { email, password } = sign_in_form(&form)?;
    let now = state.now();
    let user = if email.len() <= 254 { state.store.user_by_email(&email).await? } else { None };
    let object = user.as_ref().map(|u| u.id);
    // A genuine device cookie of this very account exempts from the account's delay and from the address's
    // budget (see throttle.rs): other people's failures never refuse a known device. It is checked first.
    let device = security::read_cookie(&headers, DEVICE_COOKIE, state.config.https())
        .and_then(|v| parse_device_cookie(&state.secret, &v));
    let known_device = match (&device, &user) {
        (Some((id, nonce)), Some(u)) if *id == u.id.0 => Some(nonce),
        _ => None,
    };
    let by_address = address_key(&state, &address);
    if known_device.is_none()
        && let Err(wait) = throttle::claim(&state, &by_address, Rule::Budget, now, true).await?
    {
        state.store.audit(auth_event(now, "sign-in-throttled", None, None, &address)).await?;
        return Err(WebError::Throttled(wait));
    }
    let by_account = match known_device {
        Some(nonce) => throttle::key(&state, "device", nonce),
        None => throttle::key(&state, "account", &email),
    };
    if let Err(wait) = throttle::claim(&state, &by_account, Rule::Growing, now, true).await? {
        state.store.audit(auth_event(now, "sign-in-throttled", None, object, &address)).await?;
        return Err(WebError::Throttled(wait));
    }
    let known = user.as_ref().filter(|u| u.active).map(|u| u.password_hash.clone());
    let verified = verify_off_thread(&password, known).await?;
    let Some(user) = user.filter(|_| verified) else {
        state.store.audit(auth_event(now, "sign-in-failed", None, object, &address)).await?;
        let message = crate::language::current().t("login-wrong");
        let html =
            LoginPage { tr: crate::language::current(), csrf: &pre, email: &email, error: Some(&message) }.render()?;
        return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
    };
    throttle::clear(&state, &by_account).await?;
    if known_device.is_none() {
        throttle::refund(&state, &by_address).await?;
    }
    rehash_if_needed(&state, &user, &password).await?;
    if state.store.totp_factor(user.id).await?.is_some_and(|f| f.enabled) {
        // The second step is remembered in the database under a fresh token, never in a cookie's content.
        let token = security::new_token();
        state
            .store
            .create_pending_login(NewPendingLogin {
                token_hash: security::hash_token(&token),
                user: user.id,
                created_at: now,
                expires_at: now + PENDING_LIFETIME,
            })
            .await?;
        state.store.audit(auth_event(now, "sign-in-password-accepted", Some(&user), None, &address)).await?;
        let mut response =
            Html(CodePage { tr: crate::language::current(), csrf: &pre, error: None }.render()?).into_response();
        response.headers_mut().append(
            header::SET_COOKIE,
            security::set_cookie(
                PENDING_COOKIE,
                &token,
                Lifetime::Seconds(PENDING_LIFETIME.whole_seconds()),
                state.config.https(),
            ),
        );
        return Ok(response);
    }
    finish_sign_in(&state, &user, now, &address, &headers).await
}

/// The second step: the code from the authenticator app.
pub async fn login_code(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    headers: HeaderMap,
    mut form: FormFields,
) -> Result<Response, WebError> {
    let pre = check_pre_login(&state, &headers, &mut form)?;
    let now = state.now();
    let pending =
        security::read_cookie(&headers, PENDING_COOKIE, state.config.https()).filter(|t| security::looks_like_token(t));
    let user = match &pending {
        Some(token) => state.store.pending_login(&security::hash_token(token), now).await?,
        None => None,
    };
    let user = match user {
        Some(id) => state.store.user(id).await?.filter(|u| u.active),
        None => None,
    };
    let Some(user) = user else {
        state.store.audit(auth_event(now, "totp-expired", None, None, &address)).await?;
        let message = crate::language::current().t("login-too-long");
        let error = Some(message.as_str());
        let html = LoginPage { tr: crate::language::current(), csrf: &pre, email: "", error }.render()?;
        return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
    };
    let by_address = address_key(&state, &address);
    if let Err(wait) = throttle::claim(&state, &by_address, Rule::Budget, now, true).await? {
        state.store.audit(auth_event(now, "sign-in-throttled", None, Some(user.id), &address)).await?;
        return Err(WebError::Throttled(wait));
    }
    let by_code = throttle::key(&state, "totp", &user.id.to_string());
    if let Err(wait) = throttle::claim(&state, &by_code, Rule::Growing, now, true).await? {
        state.store.audit(auth_event(now, "sign-in-throttled", None, Some(user.id), &address)).await?;
        return Err(WebError::Throttled(wait));
    }
    if let Some(typed) = form.one("recovery_code")? {
        // A recovery code stands in for the app's code, once; tried under the same throttle as codes.
        let hash = recovery_codes::normalize(typed).map(|code| recovery_codes::hash(&state.secret, user.id.0, &code));
        let used = match hash {
            Some(hash) => state.store.use_recovery_code(user.id, &hash, now).await?,
            None => false,
        };
        if !used {
            state.store.audit(auth_event(now, "recovery-code-failed", None, Some(user.id), &address)).await?;
            let message = crate::language::current().t("login-recovery-wrong");
            let error = Some(message.as_str());
            let html = CodePage { tr: crate::language::current(), csrf: &pre, error }.render()?;
            return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
        }
        state.store.audit(auth_event(now, "recovery-code-used", Some(&user), None, &address)).await?;
        return second_step_passed(&state, &user, pending, now, &address, &headers).await;
    }
    let typed = form.one("code")?.and_then(totp::parse_code);
    let factor = state.store.totp_factor(user.id).await?.filter(|f| f.enabled);
    let step = match (typed, factor) {
        (Some(code), Some(f)) => totp::matching_step(&f.secret, &code, now.unix_timestamp()),
        _ => None,
    };
    // The conditional update refuses a step at or before the last accepted one: a code works once.
    let accepted = match step {
        Some(s) => state.store.accept_totp_step(user.id, s, false).await?,
        None => false,
    };
    if !accepted {
        let action = if step.is_some() { "totp-replayed" } else { "totp-failed" };
        state.store.audit(auth_event(now, action, None, Some(user.id), &address)).await?;
        let message = crate::language::current().t("login-code-wrong");
        let error = Some(message.as_str());
        let html = CodePage { tr: crate::language::current(), csrf: &pre, error }.render()?;
        return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
    }
    second_step_passed(&state, &user, pending, now, &address, &headers).await
}

/// The second step passed (by an app's code or a recovery code): the counters are cleared, the pending sign-in
/// used up, and the sign-in made.
async fn second_step_passed(
    state: &AppState,
    user: &User,
    pending: Option<String>,
    now: time::OffsetDateTime,
    address: &Option<String>,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    throttle::clear(state, &throttle::key(state, "totp", &user.id.to_string())).await?;
    throttle::refund(state, &address_key(state, address)).await?;
    if let Some(token) = pending {
        state.store.delete_pending_login(&security::hash_token(&token)).await?;
    }
    finish_sign_in(state, user, now, address, headers).await
}

/// Stores a stronger hash when the stored one was made with older parameters. Conditional on the old hash, so a
/// password change at the same moment wins.
async fn rehash_if_needed(state: &AppState, user: &User, password: &str) -> Result<(), WebError> {
    if !needs_rehash(&user.password_hash) {
        return Ok(());
    }
    let plain = password.to_owned();
    let fresh = tokio::task::spawn_blocking(move || hash_password(&plain))
        .await
        .map_err(|e| WebError::Internal(Box::new(e)))??;
    state.store.replace_password_hash(user.id, &user.password_hash, &fresh).await?;
    Ok(())
}

async fn finish_sign_in(
    state: &AppState,
    user: &User,
    now: time::OffsetDateTime,
    address: &Option<String>,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    let token = security::new_token();
    let login = NewLogin {
        token_hash: security::hash_token(&token),
        user: user.id,
        csrf_token: security::new_token(),
        created_at: now,
        expires_at: now + LOGIN_LIFETIME,
        idle_timeout: IDLE_TIMEOUT,
    };
    // With what the list of one's sign-ins shows (`pages::account_sign_ins`) and the audit entry, in one write.
    let browser = crate::pages::account_sign_ins::browser_summary(headers);
    let audit = auth_event(now, "sign-in", Some(user), None, address);
    state.store.sign_in(login, &browser, address.as_deref(), audit).await?;
    let mut response = Redirect::to("/").into_response();
    let secure = state.config.https();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, security::set_cookie(SESSION_COOKIE, &token, Lifetime::Browser, secure));
    headers.append(
        header::SET_COOKIE,
        security::set_cookie(
            DEVICE_COOKIE,
            &device_cookie(&state.secret, user.id),
            Lifetime::Seconds(DEVICE_LIFETIME.whole_seconds()),
            secure,
        ),
    );
    headers.append(header::SET_COOKIE, security::set_cookie(PRE_LOGIN_COOKIE, "", Lifetime::Remove, secure));
    headers.append(header::SET_COOKIE, security::set_cookie(PENDING_COOKIE, "", Lifetime::Remove, secure));
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    signed_in: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    signed_in.check_csrf(&mut form)?;
    state.store.delete_login(&signed_in.login_hash).await?;
    state.store.audit(signed_in.audit(state.now(), "sign-out", "account", Some(signed_in.user.id.0))).await?;
    let mut response = Redirect::to("/login").into_response();
    let headers = response.headers_mut();
    headers
        .insert(header::SET_COOKIE, security::set_cookie(SESSION_COOKIE, "", Lifetime::Remove, state.config.https()));
    // What the browser kept of clinical pages goes with the sign-in: its cache, and the tab's storage (where
    // htmx would keep page snapshots for Back, were they not switched off in `base.html`).
    headers.insert(HeaderName::from_static("clear-site-data"), HeaderValue::from_static(r#""cache", "storage""#));
    Ok(response)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn device_cookies_verify_only_when_genuine() {
        let secret = [3u8; 32];
        let value = device_cookie(&secret, UserId(42));
        let (user, nonce) = parse_device_cookie(&secret, &value).unwrap();
        assert_eq!(user, 42);
        assert!(security::looks_like_token(&nonce));
        assert_eq!(parse_device_cookie(&[4u8; 32], &value), None, "another server secret");
        let forged = value.replacen("42.", "43.", 1);
        assert_eq!(parse_device_cookie(&secret, &forged), None, "another account");
        for garbled in ["", "42", "42..", "a.b.c", &format!("{value}.x")] {
            assert_eq!(parse_device_cookie(&secret, garbled), None, "{garbled:?}");
        }
    }

    #[test]
    fn weaker_parameters_need_a_rehash() {
        assert!(!needs_rehash(&hash_password("a password of some length").unwrap()));
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap());
        let salt = SaltString::encode_b64(&[7u8; 16]).unwrap();
        let phc = weak.hash_password(b"pw", &salt).unwrap().to_string();
        assert!(needs_rehash(&phc));
        assert!(needs_rehash("not a hash"));
    }
}
