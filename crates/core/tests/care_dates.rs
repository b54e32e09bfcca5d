//! Dates of care: from 1970 to a year after today, each bound included, as written in `CareDate`'s rule.

use alliance_core::domain::{CareDate, CareDateError};
use time::macros::date;

#[test]
fn a_date_of_care_is_from_1970_to_a_year_ahead() {
    let today = date!(2026 - 12 - 04);
    let ok = |raw: &str| CareDate::parse(raw, today).map(CareDate::date);
    assert_eq!(ok("1970-01-01"), Ok(date!(1970 - 01 - 01)));
    assert_eq!(ok(" 2026-12-04 "), Ok(today), "surrounding spaces are fine");
    // 2027-12-05 is 366 days after 2026-12-04 (2027 is not a leap year: 365 days to 2027-12-04, plus one).
    assert_eq!(ok("2027-12-05"), Ok(date!(2027 - 12 - 05)));
    assert_eq!(ok("1969-12-31"), Err(CareDateError::TooEarly(date!(1969 - 12 - 31))));
    assert_eq!(ok("0000-01-01"), Err(CareDateError::TooEarly(date!(0000 - 01 - 01))));
    assert_eq!(ok("2027-12-06"), Err(CareDateError::TooLate(date!(2027 - 12 - 06))));
    assert_eq!(ok("9999-12-31"), Err(CareDateError::TooLate(date!(9999 - 12 - 31))));
    for bad in ["", "2026-02-30", "28.11.2026", "2026-11-28T10:00", "+10000-01-01", "2026-1-5", "\u{0}"] {
        assert_eq!(ok(bad), Err(CareDateError::NotADate), "{bad:?}");
    }
}
