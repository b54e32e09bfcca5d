//! Page handlers, one module per area.

pub mod account;
pub mod account_sign_ins;
pub mod account_time_zone;
pub mod account_tokens;
pub mod admin;
pub mod admin_crisis;
pub mod admin_lookup;
pub mod admin_tasks;
pub mod alerts;
pub mod asking;
pub mod assets;
pub mod audit;
pub mod background;
pub mod boundaries;
pub mod caseload;
pub mod clients;
pub mod fhir;
pub mod kiosk;
pub mod language_settings;
pub mod meetings;
pub mod own_page;
pub mod partner_check;
pub mod partnership;
pub mod password_reset;
pub mod patterns;
pub mod questionnaire;
pub mod research;
pub mod research_export;
pub mod respond;
pub mod rights;
pub mod sessions;
pub mod signals;
pub mod supervision;
pub mod support;
pub mod transcripts;
pub mod words;

use alliance_core::domain::Role;
use time::Date;

use crate::auth::SignedIn;

/// What the staff header shows.
pub struct Nav {
    pub name: String,
    pub role: String,
    pub csrf: String,
    pub clinical: bool,
    pub can_add_client: bool,
    pub admin: bool,
    pub supervisor: bool,
    pub therapist: bool,
    pub researcher: bool,
}

impl Nav {
    pub fn of(who: &SignedIn) -> Self {
        let role = who.user.role;
        Nav {
            name: who.user.display_name.clone(),
            role: crate::language::current().t(role_id(role.as_str())),
            csrf: who.csrf.clone(),
            clinical: matches!(role, Role::Therapist | Role::Supervisor),
            can_add_client: role == Role::Therapist,
            admin: role == Role::Administrator,
            supervisor: role == Role::Supervisor,
            therapist: role == Role::Therapist,
            researcher: role == Role::Researcher,
        }
    }
}

/// The message naming a role, from its stored word (`therapist`, ...), lower-case as a header or a table shows it.
pub fn role_id(role: &str) -> &'static str {
    match role {
        "supervisor" => "role-lower-supervisor",
        "administrator" => "role-lower-administrator",
        "researcher" => "role-lower-researcher",
        _ => "role-lower-therapist",
    }
}

const ISO_DATE: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A calendar day in the reader's language: "4 Dec 2026", "4 dic 2026".
pub fn show_date(d: Date) -> String {
    crate::language::current().date(d.year(), u8::from(d.month()), d.day())
}

/// A moment on the reader's clock, to the minute, with the zone's short name: "4 Dec 2026, 10:30 CET".
pub fn show_time(at: time::OffsetDateTime, zone: &crate::LocalZone) -> String {
    let local = zone.local(at);
    let d = local.date();
    crate::language::current().date_time(
        d.year(),
        u8::from(d.month()),
        d.day(),
        local.hour(),
        local.minute(),
        &zone.abbreviation(at),
    )
}

/// The reader's calendar day of a moment: "4 Dec 2026".
pub fn show_day(at: time::OffsetDateTime, zone: &crate::LocalZone) -> String {
    show_date(zone.date_of(at))
}

pub fn iso_date(d: Date) -> String {
    d.format(ISO_DATE).unwrap_or_default()
}

pub fn parse_iso_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), ISO_DATE).ok()
}

/// A date of care from a form field (see `CareDate`), or the message to show: `what` names the field.
pub fn care_date(raw: Option<&str>, today: Date, what: &str) -> Result<Date, String> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Err(crate::language::current().t1("client-date-missing", "field", what)),
        Some(raw) => alliance_core::domain::CareDate::parse(raw, today)
            .map(alliance_core::domain::CareDate::date)
            .map_err(|e| crate::language::current().t2("client-date-invalid", "field", what, "error", e.to_string())),
    }
}

/// Numbers as people write them: no trailing `.0`, one decimal otherwise.
pub fn number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 { format!("{}", value.round() as i64) } else { format!("{value:.1}") }
}
