//! A staff member's own account: second factor, password, and signing out everywhere.

use alliance_core::domain::NewPassword;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qrcode::QrCode;
use qrcode::render::svg;

use super::Nav;
use crate::account_steps::Step;
use crate::auth::{SignedIn, hash_password};
use crate::error::WebError;
use crate::forms::FormFields;
use crate::reauth::confirm_password;
use crate::recovery_codes;
use crate::security;
use crate::state::AppState;
use crate::throttle::{self, Rule};
use crate::totp;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    message: Option<String>,
    error: Option<String>,
    totp_enabled: bool,
    /// Unused recovery codes, when the second factor is on.
    recovery_left: u64,
    /// What the account must do before anything else (see `account_steps`).
    step: Option<String>,
    failed_notice: Option<String>,
    sign_ins: Vec<super::account_sign_ins::SignInRow>,
    zone: super::account_time_zone::ZoneView,
    language: super::language_settings::LanguageChoice,
    /// The user's API tokens, and a token just made (shown this once).
    tokens: Vec<super::account_tokens::TokenRow>,
    new_token: Option<String>,
}

#[derive(Template)]
#[template(path = "account_recovery_codes.html")]
struct RecoveryCodesPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    codes: Vec<String>,
    first: bool,
}

#[derive(Template)]
#[template(path = "account_totp.html")]
struct EnrolPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    error: Option<String>,
    uri: String,
    secret: String,
    qr_svg: String,
}

pub(super) async fn render(
    state: &AppState,
    who: &SignedIn,
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    render_page(state, who, status, message, error, None).await
}

/// The account page showing an API token just made, this once.
pub(super) async fn render_with_token(
    state: &AppState,
    who: &SignedIn,
    status: StatusCode,
    token: String,
) -> Result<Response, WebError> {
    render_page(state, who, status, None, None, Some(token)).await
}

async fn render_page(
    state: &AppState,
    who: &SignedIn,
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let totp_enabled = state.store.totp_factor(who.user.id).await?.is_some_and(|f| f.enabled);
    let recovery_left = if totp_enabled { state.store.recovery_codes_left(who.user.id).await? } else { 0 };
    // Read again: a step this request completed is no longer asked for.
    let fresh = state.store.user(who.user.id).await?;
    let step = fresh.as_ref().and_then(Step::first).map(|s| crate::language::current().t(s.request()));
    let failed_notice = failed_since_previous_sign_in(state, who).await?;
    let sign_ins = super::account_sign_ins::rows(state, who).await?;
    let zone = super::account_time_zone::view(state, who);
    let tokens = super::account_tokens::rows(state, who).await?;
    let page = AccountPage {
        tr: crate::language::current(),
        nav: Nav::of(who),
        message,
        error,
        totp_enabled,
        recovery_left,
        step,
        failed_notice,
        sign_ins,
        zone,
        language: super::language_settings::LanguageChoice::of(
            fresh.as_ref().and_then(|u| u.language.as_deref()),
            state.config.pseudo_locale,
        ),
        tokens,
        new_token,
    };
    let html = page.render()?;
    Ok((status, Html(html)).into_response())
}

/// Failed sign-ins with this account's e-mail between its previous sign-in and the latest one, read from the
/// audit log (issue 14, finding 5: the user is told, so that someone guessing their password does not go
/// unnoticed). Looks at the newest 500 account entries, enough for the throttled rate of failures.
async fn failed_since_previous_sign_in(state: &AppState, who: &SignedIn) -> Result<Option<String>, WebError> {
    let filter = alliance_store::AuditFilter {
        object_kind: Some("account".into()),
        object_id: Some(who.user.id.0),
        ..Default::default()
    };
    let entries = state.store.search_audit(&filter, 500).await?;
    let mut sign_ins = entries.iter().enumerate().filter(|(_, e)| e.action == "sign-in").map(|(i, _)| i);
    let (Some(latest), previous) = (sign_ins.next(), sign_ins.next()) else { return Ok(None) };
    let window = &entries[latest..previous.unwrap_or(entries.len())];
    let failed = window.iter().filter(|e| e.action == "sign-in-failed").count();
    Ok((failed > 0).then(|| {
        format!(
            "{failed} failed sign-in attempt(s) with your e-mail address since your previous sign-in. \
             If that was not you, change your password below."
        )
    }))
}

pub async fn account(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    render(&state, &who, StatusCode::OK, None, None).await
}

/// Ends every sign-in of this account, this one included.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    state.store.delete_logins_of(who.user.id, None).await?;
    state.store.audit(audit(&who, &state, "sign-out-everywhere")).await?;
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        security::set_cookie(security::SESSION_COOKIE, "", security::Lifetime::Remove, state.config.https()),
    );
    Ok(response)
}

/// Changes the password (the current one is needed) and ends every other sign-in.
pub async fn change_password(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    confirm_password(&state, &who, &mut form).await?;
    let fresh = form.one("new_password")?.unwrap_or("");
    let parsed = match NewPassword::parse(fresh) {
        Ok(p) if form.one("repeat")?.unwrap_or("") == fresh => p,
        Ok(_) => {
            let error = Some(crate::language::current().t("account-not-changed-same"));
            return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, None, error).await;
        }
        Err(e) => {
            let error =
                Some(crate::language::current().t1("account-not-changed", "why", crate::language::parse_error(&e)));
            return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, None, error).await;
        }
    };
    let plain = parsed.expose().to_owned();
    let (candidate, email, name, current) =
        (plain.clone(), who.user.email.clone(), who.user.display_name.clone(), who.user.password_hash.clone());
    let refused =
        tokio::task::spawn_blocking(move || crate::password_policy::refusal(&candidate, &email, &name, Some(&current)))
            .await
            .map_err(|e| WebError::Internal(Box::new(e)))?;
    if let Some(why) = refused {
        let error =
            Some(crate::language::current().t1("account-not-changed", "why", crate::language::current().t(why)));
        return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, None, error).await;
    }
    let hash = tokio::task::spawn_blocking(move || hash_password(&plain))
        .await
        .map_err(|e| WebError::Internal(Box::new(e)))??;
    let changed = state
        .store
        .change_own_password(
            who.user.id,
            &who.user.password_hash,
            &hash,
            Some(&who.login_hash),
            audit(&who, &state, "password-changed"),
        )
        .await?;
    let Some(ended) = changed else {
        let error = Some(crate::language::current().t("account-not-changed-race"));
        return render(&state, &who, StatusCode::CONFLICT, None, error).await;
    };
    // Told by e-mail too, so that a change by someone else does not go unnoticed (issue 14, finding 5).
    crate::mail::queue(&state, who.user.id, alliance_store::MailKind::PasswordChanged, "/account".into()).await;
    let message = match ended {
        0 => crate::language::current().t("account-password-changed"),
        n => crate::language::current().t1("account-password-changed-ended", "count", n),
    };
    render(&state, &who, StatusCode::OK, Some(message), None).await
}

/// Starts setting up the second factor: a new secret, shown once, not in force until confirmed with a code.
pub async fn totp_new(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    confirm_password(&state, &who, &mut form).await?;
    let secret: [u8; totp::SECRET_BYTES] = rand::random();
    state.store.begin_totp(who.user.id, &secret, state.now()).await?;
    enrol_page(&who, &secret, StatusCode::OK, None)
}

/// Confirms the second factor with a code from the app; only then is it asked for at sign-in.
pub async fn totp_confirm(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let now = state.now();
    let Some(factor) = state.store.totp_factor(who.user.id).await?.filter(|f| !f.enabled) else {
        return render(
            &state,
            &who,
            StatusCode::CONFLICT,
            None,
            Some(crate::language::current().t("account-no-setup")),
        )
        .await;
    };
    let by_code = throttle::key(&state, "totp", &who.user.id.to_string());
    if let Err(wait) = throttle::claim(&state, &by_code, Rule::Growing, now, true).await? {
        state.store.audit(audit(&who, &state, "totp-throttled")).await?;
        return Err(WebError::Throttled(wait));
    }
    let step = form
        .one("code")?
        .and_then(totp::parse_code)
        .and_then(|code| totp::matching_step(&factor.secret, &code, now.unix_timestamp()));
    let accepted = match step {
        Some(s) => state.store.accept_totp_step(who.user.id, s, true).await?,
        None => false,
    };
    if !accepted {
        state.store.audit(audit(&who, &state, "totp-failed")).await?;
        let error = Some(crate::language::current().t("account-code-wrong"));
        return enrol_page(&who, &factor.secret, StatusCode::UNPROCESSABLE_ENTITY, error);
    }
    throttle::clear(&state, &by_code).await?;
    state.store.audit(audit(&who, &state, "totp-enabled")).await?;
    recovery_codes_page(&state, &who, true).await
}

/// Replaces the recovery codes (the password is needed): for someone who used or lost some of them.
pub async fn new_recovery_codes(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    confirm_password(&state, &who, &mut form).await?;
    if !state.store.totp_factor(who.user.id).await?.is_some_and(|f| f.enabled) {
        let error = Some(crate::language::current().t("account-recovery-needs-factor"));
        return render(&state, &who, StatusCode::CONFLICT, None, error).await;
    }
    recovery_codes_page(&state, &who, false).await
}

/// Makes and stores new codes (replacing earlier ones) and shows them, this once.
async fn recovery_codes_page(state: &AppState, who: &SignedIn, first: bool) -> Result<Response, WebError> {
    let codes = recovery_codes::generate(&mut rand::rng());
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .filter_map(|c| recovery_codes::normalize(c))
        .map(|c| recovery_codes::hash(&state.secret, who.user.id.0, &c))
        .collect();
    let event = audit(who, state, "recovery-codes-made");
    state.store.replace_recovery_codes(who.user.id, &hashes, state.now(), event).await?;
    let html = RecoveryCodesPage { tr: crate::language::current(), nav: Nav::of(who), codes, first }.render()?;
    // Shown once; every page is sent `no-store` (security.rs), so the browser keeps no copy either.
    Ok(Html(html).into_response())
}

pub async fn totp_remove(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    confirm_password(&state, &who, &mut form).await?;
    state.store.remove_totp(who.user.id).await?;
    state.store.audit(audit(&who, &state, "totp-removed")).await?;
    render(&state, &who, StatusCode::OK, Some(crate::language::current().t("account-totp-removed")), None).await
}

fn enrol_page(who: &SignedIn, secret: &[u8], status: StatusCode, error: Option<String>) -> Result<Response, WebError> {
    let uri = totp::otpauth_uri("Alliance", &who.user.email, secret);
    let svg = QrCode::new(uri.as_bytes())
        .map_err(|e| WebError::Internal(Box::new(e)))?
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    let qr_svg = match svg.find("<svg") {
        Some(start) => {
            let label = crate::charts::escape(&crate::language::current().t("account-qr-label"));
            svg[start..].replacen("<svg", &format!(r#"<svg role="img" aria-label="{label}""#), 1)
        }
        None => svg,
    };
    let html = EnrolPage {
        tr: crate::language::current(),
        nav: Nav::of(who),
        error,
        secret: totp::base32(secret),
        uri,
        qr_svg,
    }
    .render()?;
    Ok((status, Html(html)).into_response())
}

fn audit(who: &SignedIn, state: &AppState, action: &'static str) -> alliance_store::AuditEvent {
    let mut event = who.audit(state.now(), action, "account", Some(who.user.id.0));
    event.purpose = "authentication";
    event
}
