//! Supervision text: the comments a supervisor and a therapist exchange about a reflection, and what the therapist
//! wants to bring to supervision. The same rules for both.

use std::fmt;

/// Why a comment was refused, in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentError {
    Empty,
    TooLong { chars: usize },
    ControlCharacter,
}

impl fmt::Display for CommentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommentError::Empty => write!(f, "Please write a comment before sending it."),
            CommentError::TooLong { chars } => write!(
                f,
                "The text can be at most {} characters long; this one has {chars}. Please shorten it.",
                CommentBody::MAX
            ),
            CommentError::ControlCharacter => {
                write!(f, "The text contains characters that cannot be stored. Please retype it.")
            }
        }
    }
}

impl std::error::Error for CommentError {}

/// The text of a supervision comment: 1 to 4000 characters after trimming, line breaks and tabs allowed, other
/// control characters refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    pub const MAX: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, CommentError> {
        // Browsers send line breaks as CR LF; store them as LF.
        let text = raw.replace("\r\n", "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(CommentError::Empty);
        }
        let chars = text.chars().count();
        if chars > Self::MAX {
            return Err(CommentError::TooLong { chars });
        }
        if !crate::text_policy::multi_line_allowed(text) {
            return Err(CommentError::ControlCharacter);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_have_one_to_four_thousand_characters() {
        assert_eq!(CommentBody::parse(""), Err(CommentError::Empty));
        assert_eq!(CommentBody::parse(" \r\n\t "), Err(CommentError::Empty));
        // 4000 two-byte characters are 8000 bytes: the limit counts characters, not bytes.
        assert!(CommentBody::parse(&"é".repeat(4000)).is_ok());
        assert_eq!(CommentBody::parse(&"é".repeat(4001)), Err(CommentError::TooLong { chars: 4001 }));
        assert_eq!(CommentBody::parse("a\u{0}b"), Err(CommentError::ControlCharacter));
        assert_eq!(CommentBody::parse("a\u{1b}[31mb"), Err(CommentError::ControlCharacter));
        assert_eq!(CommentBody::parse("  Line one\r\nline two\t!  ").map(|c| c.0), Ok("Line one\nline two\t!".into()));
    }
}
