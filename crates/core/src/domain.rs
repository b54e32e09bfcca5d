//! Domain types that parse their input once, so the rest of the system can trust them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{field} is required")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains characters that are not allowed")]
    BadCharacters { field: &'static str },
    #[error("{field} is not valid: {why}")]
    Invalid { field: &'static str, why: &'static str },
}

/// One-line text under the text policy (see `text_policy`).
fn clean_text(field: &'static str, raw: &str, max: usize) -> Result<String, ParseError> {
    crate::text_policy::single_line(field, raw, max)
}

/// The name a client is known by in Alliance. Not their legal name: a code or nickname the therapist chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pseudonym(String);

impl Pseudonym {
    pub const MAX: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        clean_text("pseudonym", raw, Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name for a staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        clean_text("name", raw, 80).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, used as the sign-in name. Checked for shape only; stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let field = "e-mail";
        let text = clean_text(field, raw, 254)?.to_lowercase();
        let (local, domain) = text.split_once('@').ok_or(ParseError::Invalid { field, why: "it needs an @" })?;
        let valid = !local.is_empty()
            && local.len() <= 64
            && !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !text.chars().any(char::is_whitespace)
            && !domain.contains('@')
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(ParseError::Invalid { field, why: "it does not look like an address" });
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password as typed. Length is what matters (NIST SP 800-63B); composition rules are not imposed.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN: usize = 12;
    pub const MAX: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let field = "password";
        let n = raw.chars().count();
        if n < Self::MIN {
            return Err(ParseError::Invalid { field, why: "it needs at least 12 characters" });
        }
        if n > Self::MAX {
            return Err(ParseError::TooLong { field, max: Self::MAX });
        }
        Ok(Self(raw.to_owned()))
    }

    /// A generated password: 20 characters from an alphabet without look-alikes (about 113 bits), to be shown
    /// once. The caller passes the random source (the operating system's, outside tests).
    pub fn generate(rng: &mut (impl rand::Rng + ?Sized)) -> Self {
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        Self((0..20).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// What a staff member does in the practice. Access follows from the role and the caseload relationships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Administrator,
    Supervisor,
    Therapist,
    Researcher,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Supervisor => "supervisor",
            Role::Therapist => "therapist",
            Role::Researcher => "researcher",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw {
            "administrator" => Ok(Role::Administrator),
            "supervisor" => Ok(Role::Supervisor),
            "therapist" => Ok(Role::Therapist),
            "researcher" => Ok(Role::Researcher),
            _ => Err(ParseError::Invalid { field: "role", why: "unknown role" }),
        }
    }
}

/// The life cycle of one questionnaire sent to a respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdministrationStatus {
    Open,
    Completed,
    Expired,
    Cancelled,
}

impl AdministrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Completed => "completed",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "open" => Self::Open,
            "completed" => Self::Completed,
            "expired" => Self::Expired,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// The status as seen at `now`: an open administration past its deadline counts as expired.
    pub fn at(self, expires_at: time::OffsetDateTime, now: time::OffsetDateTime) -> Self {
        if self == Self::Open && now >= expires_at { Self::Expired } else { self }
    }
}

/// How long a client's link stays valid. Long enough to answer on the way home, short enough that an old
/// link found later opens nothing.
pub const DEFAULT_LINK_LIFETIME: time::Duration = time::Duration::hours(72);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        assert_eq!(Email::parse(" Ana@Example.ORG ").map(|e| e.0), Ok("ana@example.org".into()));
        for bad in ["", "no-at", "@x.org", "a@", "a@.org", "a@b..org", "a b@c.org", "a@b@c", "a@b.org\u{0}"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn pseudonym_limits() {
        assert!(Pseudonym::parse("   ").is_err());
        assert!(Pseudonym::parse(&"x".repeat(65)).is_err());
        assert!(Pseudonym::parse("A\u{7}").is_err());
        assert_eq!(Pseudonym::parse(" Client A ").map(|p| p.0), Ok("Client A".into()));
    }

    #[test]
    fn a_generated_password_is_accepted_and_avoids_look_alikes() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let passwords: Vec<NewPassword> = (0..200).map(|_| NewPassword::generate(&mut rng)).collect();
        for password in &passwords {
            let text = password.expose();
            assert_eq!(text.chars().count(), 20);
            assert!(NewPassword::parse(text).is_ok());
            assert!(text.chars().all(|c| c.is_ascii_alphanumeric() && !"l1IO0o".contains(c)), "{text}");
        }
        let distinct: std::collections::BTreeSet<&str> = passwords.iter().map(NewPassword::expose).collect();
        assert_eq!(distinct.len(), passwords.len());
    }

    #[test]
    fn expiry_is_judged_at_the_given_time() {
        let t = time::OffsetDateTime::UNIX_EPOCH;
        let deadline = t + time::Duration::hours(1);
        assert_eq!(AdministrationStatus::Open.at(deadline, t), AdministrationStatus::Open);
        assert_eq!(AdministrationStatus::Open.at(deadline, deadline), AdministrationStatus::Expired);
        assert_eq!(AdministrationStatus::Completed.at(deadline, deadline), AdministrationStatus::Completed);
    }
}

/// Why a date of care was refused, in words for the clinician who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CareDateError {
    #[error("give a date like 2026-11-28")]
    NotADate,
    #[error("{0} is before 1970: please check the year")]
    TooEarly(time::Date),
    #[error("{0} is more than a year ahead: please check the year")]
    TooLate(time::Date),
}

/// A date of care (an episode's start or end, the day of a session) as a clinician types it: `YYYY-MM-DD`, from
/// 1970 to a year after `today`. Anything outside is a typing mistake that would follow the client into every
/// chart and put the research export's day counts out by millennia; an episode may be planned ahead, hence the
/// year. `today` is the caller's (time is passed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CareDate(time::Date);

impl CareDate {
    pub const EARLIEST: time::Date = time::macros::date!(1970 - 01 - 01);
    /// How far ahead a date of care may lie.
    pub const AHEAD: time::Duration = time::Duration::days(366);

    pub fn parse(raw: &str, today: time::Date) -> Result<Self, CareDateError> {
        const ISO: &[time::format_description::BorrowedFormatItem<'_>] =
            time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(raw.trim(), ISO).map_err(|_| CareDateError::NotADate)?;
        if date < Self::EARLIEST {
            return Err(CareDateError::TooEarly(date));
        }
        if today.checked_add(Self::AHEAD).is_some_and(|latest| date > latest) {
            return Err(CareDateError::TooLate(date));
        }
        Ok(Self(date))
    }

    pub fn date(self) -> time::Date {
        self.0
    }
}
