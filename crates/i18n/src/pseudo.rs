//! The test pseudo-locale: every ASCII letter of a message is swapped for an accented one and vowels are doubled,
//! so that a page rendered in it shows at a glance (and to a test, by rule) any text that did not come from a
//! message, and layouts meet text about a third longer than English, as German or Spanish often is.

use std::borrow::Cow;

const LOWER: [char; 26] = [
    'á', 'ƀ', 'ç', 'ď', 'é', 'ƒ', 'ĝ', 'ĥ', 'î', 'ĵ', 'ķ', 'ļ', 'ɱ', 'ñ', 'ö', 'þ', 'ǫ', 'ŕ', 'š', 'ţ', 'û', 'ṽ', 'ŵ',
    'ẋ', 'ý', 'ž',
];
const UPPER: [char; 26] = [
    'Å', 'Ɓ', 'Ç', 'Đ', 'É', 'Ƒ', 'Ĝ', 'Ĥ', 'Î', 'Ĵ', 'Ķ', 'Ļ', 'Ṁ', 'Ñ', 'Ö', 'Þ', 'Ǫ', 'Ŕ', 'Š', 'Ţ', 'Û', 'Ṽ', 'Ŵ',
    'Ẋ', 'Ý', 'Ž',
];

pub fn transform(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match c {
            'a'..='z' => {
                let accented = LOWER[usize::from(c as u8 - b'a')];
                out.push(accented);
                if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u') {
                    out.push(accented);
                }
            }
            'A'..='Z' => out.push(UPPER[usize::from(c as u8 - b'A')]),
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

/// Runs of two or more ASCII letters: words the pseudo-locale would have transformed had they been messages.
pub fn untranslated_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphabetic() {
            current.push(c);
        } else {
            if current.len() >= 2 {
                words.push(std::mem::take(&mut current));
            }
            current.clear();
        }
    }
    words
}
