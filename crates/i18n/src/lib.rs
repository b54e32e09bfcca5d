//! Alliance's words in every language it speaks.
//!
//! Every sentence a person reads comes from a Fluent message file under `locales/{lang}/`, compiled in so that a
//! binary never runs without its words. [`Tr`] is the handle a page or an e-mail holds: `tr.t("id")`, or with
//! arguments `tr.t1("id", "name", value)`; plural forms follow CLDR's rules through Fluent's selectors. Numbers and
//! dates are formatted per language here rather than by Fluent's `NUMBER`, whose formatting ignores the locale.
//!
//! The pseudo-locale `en-XA` (English, accented and lengthened) exists for tests: rendered in it, any text left in
//! plain ASCII letters was not translated. It is never chosen from a browser's `Accept-Language`.

mod negotiate;
mod pseudo;
mod text;

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub use negotiate::from_accept_language;
pub use text::{Text, TextArg};

/// A language Alliance speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Ar,
    /// Test-only pseudo-locale: English with every letter accented and vowels doubled.
    Pseudo,
}

impl Lang {
    /// The languages a person can choose, in the order a switch lists them.
    pub const CHOOSABLE: [Lang; 3] = [Lang::En, Lang::Es, Lang::Ar];
    /// Every language with message files or a transform of them, the pseudo-locale included.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Es, Lang::Ar, Lang::Pseudo];

    /// The BCP 47 tag, as stored and as written in `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Ar => "ar",
            Lang::Pseudo => "en-XA",
        }
    }

    /// Parses a stored or submitted tag; only the languages Alliance has. The pseudo-locale parses too: callers
    /// that take a tag from a person refuse it unless the server runs with it enabled.
    pub fn parse(tag: &str) -> Option<Lang> {
        match tag.trim() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            "ar" => Some(Lang::Ar),
            "en-XA" => Some(Lang::Pseudo),
            _ => None,
        }
    }

    /// The language's name in itself, as a language switch shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::Ar => "العربية",
            Lang::Pseudo => "Ƥšéûûďöö",
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Lang::Ar
    }

    /// `dir` for the page: `rtl` or `ltr`.
    pub fn dir(self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    /// The language whose instrument texts a client reads: the pseudo-locale reads English ones, transformed.
    pub fn instrument_language(self) -> &'static str {
        match self {
            Lang::Pseudo => "en",
            other => other.tag(),
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::En => 0,
            Lang::Es => 1,
            Lang::Ar => 2,
            Lang::Pseudo => 3,
        }
    }

    /// The message files of this language, compiled in. The pseudo-locale uses English's.
    fn sources(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En | Lang::Pseudo => EN,
            Lang::Es => ES,
            Lang::Ar => AR,
        }
    }

    /// Decimal separator: Spanish writes a comma. Arabic is written here with Western digits and a point (see
    /// `docs/ARCHITECTURE.md`, *Languages*: scores, cut-offs and chart axes then read the same in text and chart).
    fn decimal_separator(self) -> char {
        match self {
            Lang::Es => ',',
            _ => '.',
        }
    }
}

macro_rules! files {
    ($lang:literal: $($name:literal),*) => {
        &[$(($name, include_str!(concat!("../locales/", $lang, "/", $name)))),*]
    };
}

/// The message files, one set per language (a test checks this list against the folders).
pub const FILES: [&str; 6] = ["common.ftl", "client.ftl", "mail.ftl", "staff.ftl", "signals.ftl", "admin.ftl"];
const EN: &[(&str, &str)] =
    files!("en": "common.ftl", "client.ftl", "mail.ftl", "staff.ftl", "signals.ftl", "admin.ftl");
const ES: &[(&str, &str)] =
    files!("es": "common.ftl", "client.ftl", "mail.ftl", "staff.ftl", "signals.ftl", "admin.ftl");
const AR: &[(&str, &str)] =
    files!("ar": "common.ftl", "client.ftl", "mail.ftl", "staff.ftl", "signals.ftl", "admin.ftl");

/// The raw text of every message file of a language, for the tests that compare languages.
pub fn message_files(lang: Lang) -> &'static [(&'static str, &'static str)] {
    lang.sources()
}

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static [Bundle; 4] {
    static BUNDLES: OnceLock<[Bundle; 4]> = OnceLock::new();
    BUNDLES.get_or_init(|| Lang::ALL.map(build))
}

/// One language's bundle. A file that does not parse loses only its broken entries (Fluent recovers per entry);
/// the tests assert that every file parses cleanly, so a release never does.
fn build(lang: Lang) -> Bundle {
    let id: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks keep a Latin name or a number from reordering an Arabic sentence; in left-to-right
    // languages they only add invisible characters to copy and search.
    bundle.set_use_isolating(lang.is_rtl());
    if lang == Lang::Pseudo {
        bundle.set_transform(Some(pseudo::transform));
    }
    for (_, source) in lang.sources() {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(resource) => resource,
            Err((resource, _)) => resource,
        };
        // A duplicate id keeps the first definition; the tests refuse duplicates.
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// A value for a message's argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    /// A number Fluent selects plural forms on; shown as written by [`Tr::number`].
    Number(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(s.clone())
    }
}
macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Number(n as f64)
            }
        }
        impl From<&$t> for Arg {
            fn from(n: &$t) -> Self {
                Arg::Number(*n as f64)
            }
        }
    )*};
}
number_args!(u8, u16, u32, u64, usize, i32, i64, f64);

/// The words of one language: cheap to copy, held by every page and e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// `<html lang>`.
    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }

    /// `<html dir>`.
    pub fn dir(&self) -> &'static str {
        self.lang.dir()
    }

    /// Whether the language has this message (for texts chosen at run time, such as a signal's).
    pub fn has(&self, id: &str) -> bool {
        bundles()[self.lang.index()].has_message(id)
    }

    /// A message without arguments.
    pub fn t(&self, id: &str) -> String {
        self.format(id, &[])
    }

    pub fn t1(&self, id: &str, k: &str, v: impl Into<Arg>) -> String {
        self.format(id, &[(k, v.into())])
    }

    pub fn t2(&self, id: &str, k1: &str, v1: impl Into<Arg>, k2: &str, v2: impl Into<Arg>) -> String {
        self.format(id, &[(k1, v1.into()), (k2, v2.into())])
    }

    #[allow(clippy::too_many_arguments)]
    pub fn t3(
        &self,
        id: &str,
        k1: &str,
        v1: impl Into<Arg>,
        k2: &str,
        v2: impl Into<Arg>,
        k3: &str,
        v3: impl Into<Arg>,
    ) -> String {
        self.format(id, &[(k1, v1.into()), (k2, v2.into()), (k3, v3.into())])
    }

    /// A message with any number of arguments. A message missing in this language falls back to English, and one
    /// missing everywhere shows its id (the tests make sure neither happens in a release).
    pub fn format(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            let value = match value {
                Arg::Text(text) => FluentValue::from(text.clone()),
                // A whole number stays a number, so that Fluent picks its plural form by CLDR's rules.
                Arg::Number(n) if n.fract() == 0.0 => FluentValue::from(*n),
                // A fraction is written as this language writes it; every language here puts fractions in the
                // `other` plural category, which is where Fluent's default variant sends a text.
                Arg::Number(n) => FluentValue::from(self.number(*n, 1)),
            };
            fluent_args.set(*name, value);
        }
        self.format_in(self.lang, id, &fluent_args)
            .or_else(|| self.format_in(Lang::En, id, &fluent_args))
            .unwrap_or_else(|| id.to_owned())
    }

    fn format_in(&self, lang: Lang, id: &str, args: &FluentArgs<'_>) -> Option<String> {
        let bundle = &bundles()[lang.index()];
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        Some(bundle.format_pattern(pattern, Some(args), &mut errors).into_owned())
    }

    /// A number with a fixed count of decimals, as this language writes it: `4.5`, `4,5`.
    pub fn number(&self, n: f64, decimals: usize) -> String {
        let text = format!("{n:.decimals$}");
        let text = if text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty() {
            // -0.0 reads as 0.
            text.trim_start_matches('-').to_owned()
        } else {
            text
        };
        match self.lang.decimal_separator() {
            '.' => text,
            sep => text.replace('.', &sep.to_string()),
        }
    }

    /// A calendar day in this language's words: "4 Dec 2026", "4 dic 2026", "4 ديسمبر 2026".
    pub fn date(&self, year: i32, month: u8, day: u8) -> String {
        let month_name = self.t(MONTHS.get(usize::from(month).saturating_sub(1)).copied().unwrap_or("month-1"));
        self.format(
            "date-day-month-year",
            &[
                ("day", Arg::Text(day.to_string())),
                ("month", Arg::Text(month_name)),
                ("year", Arg::Text(year.to_string())),
            ],
        )
    }

    /// A day and a time on the 24-hour clock with the zone's short name: "4 Dec 2026, 10:30 CET".
    pub fn date_time(&self, year: i32, month: u8, day: u8, hour: u8, minute: u8, zone: &str) -> String {
        self.format(
            "date-time",
            &[
                ("date", Arg::Text(self.date(year, month, day))),
                ("time", Arg::Text(format!("{hour:02}:{minute:02}"))),
                ("zone", Arg::Text(zone.to_owned())),
            ],
        )
    }

    /// Transforms a text that is not a message (an instrument's wording in the pseudo-locale) the way the
    /// pseudo-locale transforms messages; other languages return it as it is.
    pub fn data_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.lang == Lang::Pseudo { pseudo::transform(text) } else { Cow::Borrowed(text) }
    }
}

const MONTHS: [&str; 12] = [
    "month-1", "month-2", "month-3", "month-4", "month-5", "month-6", "month-7", "month-8", "month-9", "month-10",
    "month-11", "month-12",
];

/// Whether a pseudo-locale text has letters left untransformed: a run of two or more ASCII letters.
pub fn untranslated_words(text: &str) -> Vec<String> {
    pseudo::untranslated_words(text)
}
