//! The language a visitor's browser asks for, before Alliance knows whose page it is.

use crate::Lang;

/// The first language of an `Accept-Language` header that Alliance speaks, by quality then order; `None` when
/// none is spoken (the caller falls back to the practice's language). Only a language's primary subtag counts:
/// `es-MX` gets Spanish. The pseudo-locale is never chosen this way.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, usize, Lang)> = None;
    // A header longer than any browser sends is read no further than its first few entries.
    for (position, entry) in header.split(',').take(32).enumerate() {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q=").map(|q| q.trim().parse::<f32>().unwrap_or(0.0)))
            .unwrap_or(1.0);
        if !(quality > 0.0 && quality <= 1.0) {
            continue;
        }
        let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        let Some(lang) = Lang::CHOOSABLE.into_iter().find(|l| l.tag() == primary) else { continue };
        let better = match best {
            None => true,
            Some((q, _, _)) => quality > q,
        };
        if better {
            best = Some((quality, position, lang));
        }
    }
    best.map(|(_, _, lang)| lang)
}
