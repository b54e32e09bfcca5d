//! How a client can be reached: their contact detail read as an e-mail address or a phone number (E.164), or as
//! neither. The contact is free text the therapist typed (a note such as "call after 6" is allowed), so only a
//! detail that is plainly one of the two is used to send the client's link.

use crate::domain::Email;

/// Where a client's link can be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Email(String),
    /// E.164: a plus sign and 8 to 15 digits, the first not zero.
    Phone(String),
}

impl Reach {
    /// Reads a contact detail: an e-mail address, or a phone number written with spaces, dashes, dots or
    /// parentheses between its digits. Anything else (a note, a number without its country code) is `None`:
    /// guessing a country could send a client's link to a stranger.
    pub fn parse(contact: &str) -> Option<Reach> {
        let text = contact.trim();
        if text.len() > 254 {
            return None;
        }
        if text.contains('@') {
            return Email::parse(text).ok().map(|e| Reach::Email(e.as_str().to_owned()));
        }
        let digits = text.strip_prefix('+')?;
        if !digits.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')) {
            return None;
        }
        let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
        let plausible = (8..=15).contains(&digits.len()) && !digits.starts_with('0');
        plausible.then(|| Reach::Phone(format!("+{digits}")))
    }

    /// How the page names the channel: "e-mail" or "phone (text message)".
    pub fn channel_name(&self) -> &'static str {
        match self {
            Reach::Email(_) => "e-mail",
            Reach::Phone(_) => "phone (text message)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_or_an_international_number_is_read_and_anything_else_is_not() {
        let email = |s: &str| Some(Reach::Email(s.into()));
        let phone = |s: &str| Some(Reach::Phone(s.into()));
        assert_eq!(Reach::parse("  Ash.Wren@Example.org "), email("ash.wren@example.org"));
        assert_eq!(Reach::parse("+44 20-7946.0958"), phone("+442079460958"));
        assert_eq!(Reach::parse("+1 (555) 010-0199"), phone("+15550100199"));
        for neither in [
            "",
            "07946 0958",
            "+0 123 456 789",
            "+123",
            "+1234567890123456",
            "+44 20 7946 0958 ext 2",
            "call after 6",
            "ash@",
            "a@b.org, c@d.org",
            "+44\u{202e}2079460958",
        ] {
            assert_eq!(Reach::parse(neither), None, "{neither:?}");
        }
        assert_eq!(Reach::parse(&format!("+{}", "1".repeat(300))), None);
    }
}
