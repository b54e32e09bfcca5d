//! Signing in and out, and the signed-in user of a request.

use std::net::SocketAddr;

use alliance_store::{AuditEvent, NewLogin, User};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::error::WebError;
use crate::forms::FormFields;
use crate::security::{self, PRE_LOGIN_COOKIE, SESSION_COOKIE};
use crate::state::AppState;

/// How long a sign-in lasts at most.
const LOGIN_LIFETIME: time::Duration = time::Duration::hours(12);

/// Argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's recommended minimum), as a PHC string.
pub fn hash_password(password: &str) -> Result<String, WebError> {
    let salt =
        SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| WebError::Internal(e.to_string().into()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| WebError::Internal(e.to_string().into()))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of a password nobody has, verified against for unknown accounts so both cases take the same time.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&security::new_token()).unwrap_or_default())
}

/// The user behind a request, with the anti-forgery token of their sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub csrf: String,
    pub address: Option<String>,
}

impl SignedIn {
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

pub fn client_address(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip().to_string())
}

/// The peer address of a request, when the server was started with connection info.
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
        let token = security::cookie(&parts.headers, SESSION_COOKIE).ok_or(WebError::SignInRequired)?;
        if !security::looks_like_token(&token) {
            return Err(WebError::SignInRequired);
        }
        let (login, user) =
            state.store.login(&security::hash_token(&token), state.now()).await?.ok_or(WebError::SignInRequired)?;
        Ok(SignedIn { user, csrf: login.csrf_token, address: client_address(parts) })
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

pub async fn login_page(State(state): State<AppState>) -> Result<Response, WebError> {
    let pre = security::new_token();
    let html = LoginPage { csrf: &pre, email: "", error: None }.render()?;
    let mut response = Html(html).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, security::set_cookie(PRE_LOGIN_COOKIE, &pre, 3600, state.config.secure_cookies));
    Ok(response)
}

pub async fn login(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    headers: axum::http::HeaderMap,
    mut form: FormFields,
) -> Result<Response, WebError> {
    // Login CSRF: the form must carry the random value this browser got as a cookie with the sign-in page.
    let pre = security::cookie(&headers, PRE_LOGIN_COOKIE).unwrap_or_default();
    if !form.take_csrf().is_some_and(|t| security::same_token(&t, &pre)) {
        return Err(WebError::CrossSite);
    }
    let email = form.one("email")?.unwrap_or("").trim().to_lowercase();
    let password = form.one("password")?.unwrap_or("");
    let now = state.now();
    let user = if email.len() <= 254 { state.store.user_by_email(&email).await? } else { None };
    // Argon2 is deliberately slow: keep it off the async workers. Unknown accounts cost the same work.
    let known = user.as_ref().filter(|u| u.active).map(|u| u.password_hash.clone());
    let attempt = password.to_owned();
    let verified = tokio::task::spawn_blocking(move || match known {
        Some(hash) => verify_password(&attempt, &hash),
        None => {
            verify_password(&attempt, decoy_hash());
            false
        }
    })
    .await
    .map_err(|e| WebError::Internal(Box::new(e)))?;
    let event = |action: &'static str, actor: Option<&User>| AuditEvent {
        at: now,
        actor: actor.map(|u| u.id),
        actor_role: actor.map(|u| u.role),
        action,
        object_kind: "account",
        object_id: actor.map(|u| u.id.0),
        purpose: "authentication",
        address: address.clone(),
    };
    let Some(user) = user.filter(|_| verified) else {
        state.store.audit(event("sign-in-failed", None)).await?;
        let html =
            LoginPage { csrf: &pre, email: &email, error: Some("The e-mail address or the password is not right.") }
                .render()?;
        return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
    };
    let token = security::new_token();
    state
        .store
        .create_login(NewLogin {
            token_hash: security::hash_token(&token),
            user: user.id,
            csrf_token: security::new_token(),
            created_at: now,
            expires_at: now + LOGIN_LIFETIME,
        })
        .await?;
    state.store.audit(event("sign-in", Some(&user))).await?;
    let mut response = Redirect::to("/").into_response();
    let secure = state.config.secure_cookies;
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        security::set_cookie(SESSION_COOKIE, &token, LOGIN_LIFETIME.whole_seconds(), secure),
    );
    headers.append(header::SET_COOKIE, security::set_cookie(PRE_LOGIN_COOKIE, "", 0, secure));
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: axum::http::HeaderMap,
    mut form: FormFields,
) -> Result<Response, WebError> {
    signed_in.check_csrf(&mut form)?;
    if let Some(token) = security::cookie(&headers, SESSION_COOKIE) {
        state.store.delete_login(&security::hash_token(&token)).await?;
    }
    state.store.audit(signed_in.audit(state.now(), "sign-out", "account", Some(signed_in.user.id.0))).await?;
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, security::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies));
    Ok(response)
}
