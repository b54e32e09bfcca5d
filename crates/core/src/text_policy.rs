//! One policy for free text typed into Alliance (issue 14, finding 10), used by the domain types that parse it.
//!
//! - Never: NUL and other control characters (but line feed and tab in multi-line text), and the bidirectional
//!   embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069), which can make text display as
//!   something else than it is.
//! - Not in names and pseudonyms (one line, shown in lists where look-alikes matter): also the invisible
//!   characters, zero-width spaces and joiners, marks and the byte-order mark (U+200B..U+200F, U+2060..U+2064,
//!   U+061C, U+FEFF, U+00AD), so two names that look the same are the same.
//!
//! Multi-line text keeps zero-width joiners, which some scripts and emoji need in running prose.

use crate::domain::ParseError;

/// A bidirectional embedding, override or isolate.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that shows nothing: zero-width spaces and joiners, direction marks, invisible operators, the
/// byte-order mark and the soft hyphen.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{061C}' | '\u{FEFF}' | '\u{00AD}')
}

/// A one-line text such as a name or pseudonym: trimmed, non-empty, at most `max` characters, none of the
/// characters above.
pub fn single_line(field: &'static str, raw: &str, max: usize) -> Result<String, ParseError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ParseError::Empty { field });
    }
    if text.chars().count() > max {
        return Err(ParseError::TooLong { field, max });
    }
    if text.chars().any(|c| c.is_control() || is_bidi_control(c) || is_invisible(c)) {
        return Err(ParseError::BadCharacters { field });
    }
    Ok(text.to_owned())
}

/// Whether `text` may be stored as multi-line free text (notes, reflections, messages, goals): no control
/// character but line feed and tab, no bidirectional control. Line breaks should be normalised first (see
/// [`multi_line`]).
pub fn multi_line_allowed(text: &str) -> bool {
    !text.chars().any(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
}

/// A multi-line text: CR LF (as browsers send line breaks) made LF, trimmed, at most `max` characters, checked by
/// [`multi_line_allowed`]. Empty text is allowed (a field may be optional); the caller refuses it where not.
pub fn multi_line(field: &'static str, raw: &str, max: usize) -> Result<String, ParseError> {
    let text = raw.replace("\r\n", "\n");
    let text = text.trim();
    if text.chars().count() > max {
        return Err(ParseError::TooLong { field, max });
    }
    if !multi_line_allowed(text) {
        return Err(ParseError::BadCharacters { field });
    }
    Ok(text.to_owned())
}
