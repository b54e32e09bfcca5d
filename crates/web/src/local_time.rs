//! Local time: the practice's time zone (`--time-zone`, an IANA name such as `Europe/Berlin`) and each user's
//! own choice on their account page. Everything is stored in UTC; what a person reads and types is in their zone,
//! and "today" (the default date of a session, the latest date a form accepts, how old a signal is) is their local
//! day: at 08:00 in Auckland the UTC date is still yesterday.
//!
//! The zone database is the one compiled into the binary (jiff's bundled copy of the IANA database), so that a
//! server and its container agree whatever the host has installed; an upgrade of Alliance brings its updates.

use jiff::tz::TimeZone;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Longest zone name accepted from a form or a setting (the longest IANA name is 32 characters).
const NAME_MAX: usize = 64;

/// A named time zone from the IANA database.
#[derive(Debug, Clone)]
pub struct LocalZone {
    name: String,
    zone: TimeZone,
}

impl PartialEq for LocalZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl LocalZone {
    /// UTC: the default when the practice has not set a zone.
    pub fn utc() -> Self {
        LocalZone { name: "UTC".into(), zone: TimeZone::UTC }
    }

    /// The zone an IANA name names (`Europe/Berlin`, `UTC`), or why not, in words for a form or the command line.
    pub fn parse(name: &str) -> Result<Self, String> {
        let name = name.trim();
        if name.is_empty() || name.len() > NAME_MAX || !name.chars().all(|c| c.is_ascii_graphic()) {
            return Err("a time zone is a name such as Europe/Berlin or America/New_York".into());
        }
        match TimeZone::get(name) {
            Ok(zone) => Ok(LocalZone { name: zone.iana_name().unwrap_or(name).to_owned(), zone }),
            Err(_) => Err(format!("“{name}” is not a time zone this server knows (for example Europe/Berlin)")),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset from UTC at `at` (summer time included).
    pub fn offset_at(&self, at: OffsetDateTime) -> UtcOffset {
        let seconds = jiff::Timestamp::from_second(at.unix_timestamp()).map_or(0, |t| self.zone.to_offset(t).seconds());
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }

    /// `at` as a wall clock here reads it.
    pub fn local(&self, at: OffsetDateTime) -> OffsetDateTime {
        at.to_offset(self.offset_at(at))
    }

    /// The local date at `now`.
    pub fn today(&self, now: OffsetDateTime) -> Date {
        self.local(now).date()
    }

    /// The local date of a moment.
    pub fn date_of(&self, at: OffsetDateTime) -> Date {
        self.local(at).date()
    }

    /// The moment a wall-clock time here names. In the hour that summer time skips, the clock reading is taken
    /// as if the change had not happened yet; in the hour it repeats, the earlier of the two (jiff's "compatible"
    /// rule, as RFC 5545 and most calendars do).
    pub fn moment(&self, local: PrimitiveDateTime) -> Option<OffsetDateTime> {
        let civil = jiff::civil::DateTime::new(
            i16::try_from(local.year()).ok()?,
            i8::try_from(u8::from(local.month())).ok()?,
            i8::try_from(local.day()).ok()?,
            i8::try_from(local.hour()).ok()?,
            i8::try_from(local.minute()).ok()?,
            i8::try_from(local.second()).ok()?,
            0,
        )
        .ok()?;
        let timestamp = self.zone.to_ambiguous_timestamp(civil).compatible().ok()?;
        OffsetDateTime::from_unix_timestamp(timestamp.as_second()).ok()
    }

    /// The zone's short name at `at` ("CET", "EDT"), or its offset where the database has no letters ("+0530").
    pub fn abbreviation(&self, at: OffsetDateTime) -> String {
        let Ok(timestamp) = jiff::Timestamp::from_second(at.unix_timestamp()) else { return self.name.clone() };
        let info = self.zone.to_offset_info(timestamp);
        let letters = info.abbreviation();
        if letters.chars().all(|c| c.is_ascii_alphabetic()) && !letters.is_empty() {
            letters.to_owned()
        } else {
            let offset = self.offset_at(at);
            let sign = if offset.is_negative() { '-' } else { '+' };
            format!("{sign}{:02}{:02}", offset.whole_hours().abs(), offset.minutes_past_hour().abs())
        }
    }

    /// Every zone name this server knows, sorted, for the account page's choice.
    pub fn names() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect();
        names.sort();
        names.dedup();
        names
    }
}

impl Default for LocalZone {
    fn default() -> Self {
        LocalZone::utc()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::{date, datetime};

    use super::LocalZone;

    // Offsets from the IANA database's rules as published (zone1970.tab and the rule lines of `europe`,
    // `australasia`, `asia`): Berlin CET +1 / CEST +2 from the last Sunday of March; Auckland NZDT +13 in
    // December; Kolkata +5:30 all year.
    #[test]
    fn local_dates_and_clocks_follow_the_zone_rules() {
        let berlin = LocalZone::parse("Europe/Berlin").unwrap();
        assert_eq!(berlin.offset_at(datetime!(2026-12-06 12:00 UTC)).whole_hours(), 1);
        assert_eq!(berlin.offset_at(datetime!(2026-07-06 12:00 UTC)).whole_hours(), 2);
        assert_eq!(berlin.abbreviation(datetime!(2026-12-06 12:00 UTC)), "CET");
        let auckland = LocalZone::parse("Pacific/Auckland").unwrap();
        // 20:00 UTC on 5 December is 09:00 on 6 December in Auckland.
        assert_eq!(auckland.today(datetime!(2026-12-05 20:00 UTC)), date!(2026 - 12 - 06));
        let kolkata = LocalZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.abbreviation(datetime!(2026-12-06 12:00 UTC)), "IST");
        assert_eq!(kolkata.local(datetime!(2026-12-06 12:00 UTC)).minute(), 30);
    }

    #[test]
    fn a_wall_clock_time_names_one_moment_even_around_summer_time() {
        let berlin = LocalZone::parse("Europe/Berlin").unwrap();
        assert_eq!(berlin.moment(datetime!(2026-12-06 09:30)), Some(datetime!(2026-12-06 08:30 UTC)));
        // 29 March 2026, 02:30 does not exist in Berlin (clocks go from 02:00 to 03:00): read as 03:30 CEST.
        assert_eq!(berlin.moment(datetime!(2026-03-29 02:30)), Some(datetime!(2026-03-29 01:30 UTC)));
        // 25 October 2026, 02:30 happens twice: the first (CEST).
        assert_eq!(berlin.moment(datetime!(2026-10-25 02:30)), Some(datetime!(2026-10-25 00:30 UTC)));
    }

    #[test]
    fn names_are_checked() {
        for bad in ["", "Mars/Olympus", "Europe/Berlin\u{0}", &"A/".repeat(40), "../../etc/passwd", "Europe /Berlin"] {
            assert!(LocalZone::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(LocalZone::parse(" UTC ").unwrap().name(), "UTC");
        assert!(LocalZone::names().iter().any(|n| n == "America/New_York"));
    }
}
