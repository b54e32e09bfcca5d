//! The practice's crisis information (issue 13, item 2): the text and contacts a client sees whenever they
//! endorse PHQ-9 item 9, set by the administrator. Parsed once here, so the store and the pages only hold values
//! that are safe to show as links: a contact is a phone number (shown as a `tel:` link) or an `https:` link,
//! nothing else (no `javascript:`, no `http:`, no quotes or angle brackets).

use crate::domain::ParseError;
use crate::text_policy;

/// What a client sees until the administrator sets the practice's own text: honest (nobody watches the answers
/// around the clock) and pointing to help that is there now.
pub const DEFAULT_TEXT: &str = "You said you have had thoughts of being better off dead or of hurting yourself. If you might act on these thoughts now, call your local emergency number now (112 in Europe, 999 in the UK, 911 in the US and Canada) or go to the nearest emergency department. A crisis line where you live can also talk with you today. Your answers are not watched around the clock: do not wait for your therapist to contact you, and tell them too.";

/// The longest crisis text, in characters.
pub const TEXT_MAX: usize = 1500;
/// The most contacts.
pub const CONTACTS_MAX: usize = 8;
/// The longest contact label, in characters.
pub const LABEL_MAX: usize = 80;
/// The longest link, in characters.
pub const LINK_MAX: usize = 200;

/// One contact: a label and where it leads (`tel:+...` or `https://...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrisisContact {
    pub label: String,
    pub target: String,
}

impl CrisisContact {
    /// A label and a phone number (digits, spaces, `+ - ( ) .`, 3 to 20 digits, `+` only first) or an `https:`
    /// link without spaces, quotes or angle brackets.
    pub fn parse(label: &str, target: &str) -> Result<Self, ParseError> {
        let label = text_policy::single_line("a contact's name", label, LABEL_MAX)?;
        let raw = target.trim();
        let target = if let Some(rest) = raw.strip_prefix("https://") {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            if raw.chars().count() > LINK_MAX {
                return Err(ParseError::TooLong { field: "a contact's link", max: LINK_MAX });
            }
            if host.is_empty()
                || !raw.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\'))
            {
                return Err(ParseError::Invalid {
                    field: "a contact's link",
                    why: "it must be a plain https:// address",
                });
            }
            raw.to_owned()
        } else {
            let number = raw.strip_prefix("tel:").unwrap_or(raw);
            let digits = number.chars().filter(char::is_ascii_digit).count();
            let allowed = number
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.') || (c == '+' && i == 0));
            if number.is_empty() || !allowed || !(3..=20).contains(&digits) {
                return Err(ParseError::Invalid {
                    field: "a contact",
                    why: "give a phone number (digits, spaces, + - ( ) .) or an https:// link",
                });
            }
            let dial: String = number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            format!("tel:{dial}")
        };
        Ok(Self { label, target })
    }

    /// What the link shows after the label: the number, or the address.
    pub fn shown(&self) -> &str {
        self.target.strip_prefix("tel:").unwrap_or(&self.target)
    }
}

/// The practice's crisis text and contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrisisProtocol {
    pub text: String,
    pub contacts: Vec<CrisisContact>,
}

impl Default for CrisisProtocol {
    fn default() -> Self {
        Self { text: DEFAULT_TEXT.to_owned(), contacts: Vec::new() }
    }
}

impl CrisisProtocol {
    /// The text (required, multi-line text policy) and the contacts, one a line as `name | number or link`.
    pub fn parse(text: &str, contacts: &str) -> Result<Self, ParseError> {
        let text = text_policy::multi_line("the crisis text", text, TEXT_MAX)?;
        if text.is_empty() {
            return Err(ParseError::Empty { field: "the crisis text" });
        }
        let lines: Vec<&str> = contacts.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if lines.len() > CONTACTS_MAX {
            return Err(ParseError::Invalid { field: "the contacts", why: "at most 8, one a line" });
        }
        let contacts = lines
            .iter()
            .map(|line| match line.rsplit_once('|') {
                Some((label, target)) => CrisisContact::parse(label, target),
                None => Err(ParseError::Invalid { field: "a contact", why: "write it as: name | number or link" }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { text, contacts })
    }

    /// The contacts as the administrator's form shows them, one a line.
    pub fn contact_lines(&self) -> String {
        self.contacts.iter().map(|c| format!("{} | {}", c.label, c.shown())).collect::<Vec<_>>().join("\n")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn contacts_are_phone_numbers_or_https_links_only() {
        let ok = CrisisProtocol::parse("Call us.", "Crisis line | +44 (0)800 123-456\nWeb | https://example.org/help")
            .unwrap();
        assert_eq!(ok.contacts[0].target, "tel:+440800123456");
        assert_eq!(ok.contacts[1].target, "https://example.org/help");
        for bad in [
            "X | javascript:alert(1)",
            "X | http://example.org",
            "X | https://",
            "X | https://a.org/\"onmouseover=x",
            "X | 12",
            "X | 1+2345",
            "no separator 112",
            "\u{202E}X | 112",
        ] {
            assert!(CrisisProtocol::parse("Call us.", bad).is_err(), "{bad}");
        }
        assert!(CrisisProtocol::parse(" ", "").is_err(), "text required");
        assert!(CrisisProtocol::parse(&"x".repeat(TEXT_MAX + 1), "").is_err());
        assert!(CrisisProtocol::parse("t", &"A | 112\n".repeat(CONTACTS_MAX + 1)).is_err());
    }
}
