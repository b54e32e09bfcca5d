//! What a new password must not be, beyond its length (issue 14, finding 5; ASVS 2.1.7): one character repeated,
//! a very common password or keyboard run with digits or symbols around it, the user's own name or e-mail, a
//! password the zxcvbn strength estimator finds guessable (its breached-password, word and name lists ship in the
//! binary), or the current password. The first checks give a specific reason; the estimator catches the rest.

use crate::auth::verify_password;

/// Words that, with digits and symbols stripped, make up the most common passwords.
const COMMON: &[&str] = &[
    "password",
    "passwort",
    "passw",
    "qwerty",
    "qwertz",
    "azerty",
    "asdf",
    "asdfgh",
    "zxcvbn",
    "letmein",
    "welcome",
    "iloveyou",
    "admin",
    "administrator",
    "abc",
    "abcd",
    "abcdef",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "master",
    "shadow",
    "trustno",
    "superman",
    "secret",
    "changeme",
    "login",
    "alliance",
    "therapy",
    "therapist",
    "qwertyuiop",
    "abcdefghijkl",
];

/// Keyboard and counting runs that, alone, are no password.
const RUNS: &[&str] =
    &["0123456789", "1234567890", "9876543210", "qwertyuiop", "asdfghjkl", "abcdefghijklmnopqrstuvwxyz"];

/// Why `new` is refused for this user, as a message id (`password-...`); `None` when it is acceptable. `current_hash` is
/// the user's stored hash (checked last: it is the slow step).
pub fn refusal(new: &str, email: &str, name: &str, current_hash: Option<&str>) -> Option<&'static str> {
    let lower = new.to_lowercase();
    let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
    if distinct.len() < 5 {
        return Some("password-repeats");
    }
    let compact: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    if RUNS.iter().any(|run| run.contains(compact.as_str()) || compact.contains(run)) {
        return Some("password-run");
    }
    let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    // "P@ssw0rd!2024": digits and symbols around the word dropped, look-alikes inside it read as letters.
    let core: String = lower.trim_matches(|c: char| !c.is_alphabetic()).chars().filter_map(unleet).collect::<String>();
    if COMMON.contains(&letters.as_str()) || COMMON.contains(&core.as_str()) || letters.is_empty() {
        return Some("password-common");
    }
    let local = email.to_lowercase();
    let local = local.split('@').next().unwrap_or("");
    let mut own: Vec<&str> = local.split(|c: char| !c.is_alphanumeric()).collect();
    own.push(local);
    let name_lower = name.to_lowercase();
    own.extend(name_lower.split(|c: char| !c.is_alphanumeric()));
    if own.iter().any(|part| part.chars().count() >= 3 && lower.contains(part)) {
        return Some("password-own-name");
    }
    // The strength estimator last (zxcvbn: dictionaries of breached passwords, English words, names and surnames,
    // plus keyboard, date, repeat and sequence patterns; Wheeler, USENIX Security 2016). Score 3 of 4, "safely
    // unguessable" (an estimated 10^8 to 10^10 guesses), is what its authors suggest where hashes are slow, as
    // Argon2 is. Only the first 100 characters are weighed: the estimator's time grows with the length, and a
    // password that long is strong for its length alone.
    let weighed: String = new.chars().take(100).collect();
    let inputs: Vec<&str> = own.iter().copied().filter(|part| part.chars().count() >= 3).collect();
    if zxcvbn::zxcvbn(&weighed, &inputs).score() < zxcvbn::Score::Three {
        return Some("password-guessable");
    }
    if current_hash.is_some_and(|hash| verify_password(new, hash)) {
        return Some("password-current");
    }
    None
}

/// The letter a digit or symbol stands in for inside a word; other non-letters are dropped.
fn unleet(c: char) -> Option<char> {
    match c {
        '@' | '4' => Some('a'),
        '0' => Some('o'),
        '1' | '!' => Some('i'),
        '3' => Some('e'),
        '$' | '5' => Some('s'),
        '7' => Some('t'),
        c if c.is_alphabetic() => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{COMMON, refusal};

    /// Passwords from published breach top lists (SplashData's yearly lists and the RockYou leak have "starwars",
    /// "liverpool", "jordan23", "qazwsx") and a name with a year: none is in the hand-written list, so
    /// only the estimator can refuse them.
    #[test]
    fn breached_passwords_outside_the_hand_written_list_are_refused_by_the_estimator() {
        for weak in ["starwars2020!", "Liverpool1892", "michelle1990!", "qazwsxedc1234", "jordan23jordan23"] {
            let letters: String = weak.to_lowercase().chars().filter(|c| c.is_alphabetic()).collect();
            assert!(!COMMON.contains(&letters.as_str()), "{weak} is in the hand-written list");
            let why = refusal(weak, "ana@example.org", "Ana Lind", None);
            assert!(why == Some("password-guessable"), "{weak}: {why:?}");
        }
    }

    #[test]
    fn unrelated_words_and_long_phrases_pass() {
        for strong in ["violet harbour crane 58 tiles", "copper-lantern-mossy-river", &"quiet tide ".repeat(25)] {
            assert_eq!(refusal(strong, "ana@example.org", "Ana Lind", None), None, "{strong}");
        }
    }
}
