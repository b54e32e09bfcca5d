//! Words of an utterance, shared by both coders: lower case, apostrophes kept inside words ("don't"), curly
//! apostrophes straightened, and `?` kept as a word of its own since it carries the question.

/// The words of `text`, lower-cased, into `out` (cleared first; reused to spare allocations).
pub fn words_into(text: &str, out: &mut Vec<String>) {
    out.clear();
    let mut word = String::new();
    for c in text.chars() {
        let c = if c == '\u{2019}' || c == '\u{2018}' { '\'' } else { c };
        if c.is_alphanumeric() || (c == '\'' && !word.is_empty()) {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, out);
            if c == '?' {
                out.push("?".to_owned());
            }
        }
    }
    flush(&mut word, out);
}

fn flush(word: &mut String, out: &mut Vec<String>) {
    let trimmed = word.trim_end_matches('\'');
    if !trimmed.is_empty() {
        out.push(trimmed.to_owned());
    }
    word.clear();
}

/// The words of `text`.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    words_into(text, &mut out);
    out
}

/// The sentences of `text` (split after `.`, `!`, `?`), trimmed, empty ones left out.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            let end = i + c.len_utf8();
            push_trimmed(&text[start..end], &mut out);
            start = end;
        }
    }
    push_trimmed(&text[start..], &mut out);
    out
}

fn push_trimmed<'a>(part: &'a str, out: &mut Vec<&'a str>) {
    let part = part.trim();
    if part.chars().any(char::is_alphanumeric) {
        out.push(part);
    }
}

/// FNV-1a, 64 bits: a fixed, portable hash, so a model file means the same on every machine and release.
pub fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A word list compiled for matching: phrases indexed by their first word, so a match costs one lookup per word.
pub struct Phrases {
    by_first: std::collections::HashMap<String, Vec<Vec<String>>>,
}

impl Phrases {
    pub fn new(list: &[&str]) -> Phrases {
        let mut by_first: std::collections::HashMap<String, Vec<Vec<String>>> = std::collections::HashMap::new();
        for phrase in list {
            let parts = words(phrase);
            if let Some(first) = parts.first() {
                by_first.entry(first.clone()).or_default().push(parts);
            }
        }
        Phrases { by_first }
    }

    /// The first occurrence of any phrase: its position and length in words.
    pub fn find(&self, words: &[String]) -> Option<(usize, usize)> {
        self.find_from(words, 0)
    }

    pub fn find_from(&self, words: &[String], from: usize) -> Option<(usize, usize)> {
        for i in from..words.len() {
            if let Some(candidates) = self.by_first.get(&words[i]) {
                for parts in candidates {
                    if words.len() - i >= parts.len() && parts.iter().zip(&words[i..]).all(|(p, w)| p == w) {
                        return Some((i, parts.len()));
                    }
                }
            }
        }
        None
    }

    /// How many matches (non-overlapping, left to right).
    pub fn count(&self, words: &[String]) -> usize {
        let (mut n, mut at) = (0, 0);
        while let Some((i, len)) = self.find_from(words, at) {
            n += 1;
            at = i + len.max(1);
        }
        n
    }

    pub fn contains(&self, words: &[String]) -> bool {
        self.find(words).is_some()
    }

    /// Whether a phrase starts at position `at`.
    pub fn starts_at(&self, words: &[String], at: usize) -> bool {
        words.get(at).and_then(|w| self.by_first.get(w)).is_some_and(|candidates| {
            candidates
                .iter()
                .any(|parts| words.len() - at >= parts.len() && parts.iter().zip(&words[at..]).all(|(p, w)| p == w))
        })
    }
}
