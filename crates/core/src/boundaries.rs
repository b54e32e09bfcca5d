//! Boundary events (issue 20, item 1): what a therapist records about crossings in their work with a client, and
//! how crossings accumulate over time, for supervision.
//!
//! Gutheil & Gabbard: a crossing is not a violation, and many are harmless or helpful; a pattern of small crossings
//! is the slope supervision exists to notice. So the accumulation here is a prompt for reflection (counts per
//! quarter and whether they are growing or recurring), never a score, a rank or a judgement. The thresholds are the
//! project's choice, not taken from research.

use time::Date;

/// The kinds of boundary event the log takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BoundaryKind {
    /// The session ran over (minutes).
    Overrun,
    /// Contact outside sessions (channel, and who began it).
    Contact,
    /// A gift given or received.
    Gift,
    SelfDisclosure,
    DualRelationship,
    PhysicalContact,
    /// An exception to the fee or the schedule.
    FeeOrSchedule,
    Other,
}

impl BoundaryKind {
    pub const ALL: [BoundaryKind; 8] = [
        BoundaryKind::Overrun,
        BoundaryKind::Contact,
        BoundaryKind::Gift,
        BoundaryKind::SelfDisclosure,
        BoundaryKind::DualRelationship,
        BoundaryKind::PhysicalContact,
        BoundaryKind::FeeOrSchedule,
        BoundaryKind::Other,
    ];

    /// The stored and posted word.
    pub fn code(self) -> &'static str {
        match self {
            BoundaryKind::Overrun => "overrun",
            BoundaryKind::Contact => "contact",
            BoundaryKind::Gift => "gift",
            BoundaryKind::SelfDisclosure => "self-disclosure",
            BoundaryKind::DualRelationship => "dual-relationship",
            BoundaryKind::PhysicalContact => "physical-contact",
            BoundaryKind::FeeOrSchedule => "fee-schedule",
            BoundaryKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The message naming the kind.
    pub fn message(self) -> &'static str {
        match self {
            BoundaryKind::Overrun => "boundary-kind-overrun",
            BoundaryKind::Contact => "boundary-kind-contact",
            BoundaryKind::Gift => "boundary-kind-gift",
            BoundaryKind::SelfDisclosure => "boundary-kind-self-disclosure",
            BoundaryKind::DualRelationship => "boundary-kind-dual-relationship",
            BoundaryKind::PhysicalContact => "boundary-kind-physical-contact",
            BoundaryKind::FeeOrSchedule => "boundary-kind-fee-schedule",
            BoundaryKind::Other => "boundary-kind-other",
        }
    }
}

/// How a contact outside sessions happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Phone,
    TextMessage,
    Email,
    SocialMedia,
    InPerson,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 6] =
        [Channel::Phone, Channel::TextMessage, Channel::Email, Channel::SocialMedia, Channel::InPerson, Channel::Other];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::TextMessage => "text",
            Channel::Email => "email",
            Channel::SocialMedia => "social-media",
            Channel::InPerson => "in-person",
            Channel::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Channel::Phone => "boundary-channel-phone",
            Channel::TextMessage => "boundary-channel-text",
            Channel::Email => "boundary-channel-email",
            Channel::SocialMedia => "boundary-channel-social-media",
            Channel::InPerson => "boundary-channel-in-person",
            Channel::Other => "boundary-channel-other",
        }
    }
}

/// Who began a contact outside sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    Client,
    Therapist,
}

impl Initiator {
    pub fn code(self) -> &'static str {
        match self {
            Initiator::Client => "client",
            Initiator::Therapist => "therapist",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Initiator::Client, Initiator::Therapist].into_iter().find(|i| i.code() == code)
    }
}

/// Whether the therapist gave or received a gift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiftDirection {
    Given,
    Received,
}

impl GiftDirection {
    pub fn code(self) -> &'static str {
        match self {
            GiftDirection::Given => "given",
            GiftDirection::Received => "received",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [GiftDirection::Given, GiftDirection::Received].into_iter().find(|g| g.code() == code)
    }
}

/// A boundary event's kind with the details that kind has, and only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    Overrun { minutes: u16 },
    Contact { channel: Channel, initiated_by: Initiator },
    Gift { direction: GiftDirection },
    Other(BoundaryKind),
}

/// The longest overrun the log takes, in minutes (ten hours: anything longer is a typing slip).
pub const MAX_OVERRUN_MINUTES: u16 = 600;

/// Why a boundary event's details were refused: the message id to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossingError {
    UnknownKind,
    Minutes,
    Channel,
    Initiator,
    Gift,
}

impl CrossingError {
    pub fn message(self) -> &'static str {
        match self {
            CrossingError::UnknownKind => "boundary-error-kind",
            CrossingError::Minutes => "boundary-error-minutes",
            CrossingError::Channel => "boundary-error-channel",
            CrossingError::Initiator => "boundary-error-initiator",
            CrossingError::Gift => "boundary-error-gift",
        }
    }
}

/// The posted fields of an event, as text: details the kind does not have are ignored (one form carries them all).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCrossing<'a> {
    pub kind: Option<&'a str>,
    pub minutes: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub initiated_by: Option<&'a str>,
    pub gift: Option<&'a str>,
}

impl Crossing {
    pub fn parse(raw: RawCrossing<'_>) -> Result<Self, CrossingError> {
        fn field(value: Option<&str>) -> Option<&str> {
            value.map(str::trim).filter(|v| !v.is_empty())
        }
        let kind = field(raw.kind).and_then(BoundaryKind::parse).ok_or(CrossingError::UnknownKind)?;
        Ok(match kind {
            BoundaryKind::Overrun => {
                let minutes = field(raw.minutes)
                    .and_then(|m| m.parse::<u16>().ok())
                    .filter(|m| (1..=MAX_OVERRUN_MINUTES).contains(m))
                    .ok_or(CrossingError::Minutes)?;
                Crossing::Overrun { minutes }
            }
            BoundaryKind::Contact => Crossing::Contact {
                channel: field(raw.channel).and_then(Channel::parse).ok_or(CrossingError::Channel)?,
                initiated_by: field(raw.initiated_by).and_then(Initiator::parse).ok_or(CrossingError::Initiator)?,
            },
            BoundaryKind::Gift => {
                Crossing::Gift { direction: field(raw.gift).and_then(GiftDirection::parse).ok_or(CrossingError::Gift)? }
            }
            other => Crossing::Other(other),
        })
    }

    pub fn kind(self) -> BoundaryKind {
        match self {
            Crossing::Overrun { .. } => BoundaryKind::Overrun,
            Crossing::Contact { .. } => BoundaryKind::Contact,
            Crossing::Gift { .. } => BoundaryKind::Gift,
            Crossing::Other(kind) => kind,
        }
    }

    pub fn minutes(self) -> Option<u16> {
        match self {
            Crossing::Overrun { minutes } => Some(minutes),
            _ => None,
        }
    }

    pub fn channel(self) -> Option<Channel> {
        match self {
            Crossing::Contact { channel, .. } => Some(channel),
            _ => None,
        }
    }

    pub fn initiated_by(self) -> Option<Initiator> {
        match self {
            Crossing::Contact { initiated_by, .. } => Some(initiated_by),
            _ => None,
        }
    }

    pub fn gift(self) -> Option<GiftDirection> {
        match self {
            Crossing::Gift { direction } => Some(direction),
            _ => None,
        }
    }
}

/// Days in one window of the accumulation (a quarter), and how many windows it looks back (a year).
pub const WINDOW_DAYS: i64 = 91;
pub const WINDOWS: usize = 4;
/// A kind is *recurring* with at least this many events in the year.
pub const RECURRING: u32 = 3;
/// A kind is *growing* when the latest quarter has at least this many and more than any earlier quarter.
pub const GROWING: u32 = 2;

/// One recorded event, as the accumulation reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    pub client: i64,
    pub kind: BoundaryKind,
    pub on: Date,
    pub minutes: Option<u16>,
}

/// What the accumulation asks the reader to reflect on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prompt {
    /// More in the latest quarter than in any before it.
    Growing,
    /// Several in the year, not growing.
    Recurring,
    /// Nothing to point at.
    Quiet,
}

/// Events of one kind (with one client, or across a therapist's clients) per quarter, oldest quarter first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accumulation {
    /// `None`: across all of the therapist's clients.
    pub client: Option<i64>,
    pub kind: BoundaryKind,
    pub counts: [u32; WINDOWS],
    /// Overrun minutes per quarter (zero for other kinds).
    pub minutes: [u32; WINDOWS],
    pub prompt: Prompt,
}

/// Which quarter (0 oldest .. WINDOWS-1 latest) a day falls in, counting back from `today`; `None` before the year.
fn window(on: Date, today: Date) -> Option<usize> {
    let back = (today - on).whole_days().max(0);
    let from_latest = usize::try_from(back / WINDOW_DAYS).ok()?;
    (from_latest < WINDOWS).then(|| WINDOWS - 1 - from_latest)
}

fn prompt(counts: &[u32; WINDOWS]) -> Prompt {
    let latest = counts[WINDOWS - 1];
    let earlier = counts[..WINDOWS - 1].iter().copied().max().unwrap_or(0);
    if latest >= GROWING && latest > earlier {
        Prompt::Growing
    } else if counts.iter().sum::<u32>() >= RECURRING {
        Prompt::Recurring
    } else {
        Prompt::Quiet
    }
}

fn accumulate(events: &[Dated], today: Date, per_client: bool) -> Vec<Accumulation> {
    // Per (client or all, kind): events and overrun minutes per quarter.
    type Windows = ([u32; WINDOWS], [u32; WINDOWS]);
    let mut found: std::collections::BTreeMap<(Option<i64>, BoundaryKind), Windows> = std::collections::BTreeMap::new();
    for e in events {
        let Some(w) = window(e.on, today) else { continue };
        let entry = found.entry((per_client.then_some(e.client), e.kind)).or_default();
        entry.0[w] += 1;
        entry.1[w] += u32::from(e.minutes.unwrap_or(0));
    }
    let mut out: Vec<Accumulation> = found
        .into_iter()
        .map(|((client, kind), (counts, minutes))| Accumulation {
            client,
            kind,
            counts,
            minutes,
            prompt: prompt(&counts),
        })
        .collect();
    // What asks for reflection first; then more recent activity; then a stable order.
    out.sort_by(|a, b| {
        a.prompt.cmp(&b.prompt).then(b.counts[WINDOWS - 1].cmp(&a.counts[WINDOWS - 1])).then(a.client.cmp(&b.client))
    });
    out
}

/// Per client and kind, over the year up to `today`.
pub fn per_client(events: &[Dated], today: Date) -> Vec<Accumulation> {
    accumulate(events, today, true)
}

/// Per kind across all the clients of the events given (one therapist's), over the year up to `today`.
pub fn per_therapist(events: &[Dated], today: Date) -> Vec<Accumulation> {
    accumulate(events, today, false)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 07);

    fn raw<'a>(kind: &'a str) -> RawCrossing<'a> {
        RawCrossing { kind: Some(kind), ..RawCrossing::default() }
    }

    #[test]
    fn each_kind_takes_its_own_details_and_refuses_missing_or_bad_ones() {
        assert_eq!(
            Crossing::parse(RawCrossing { minutes: Some(" 15 "), ..raw("overrun") }),
            Ok(Crossing::Overrun { minutes: 15 })
        );
        for bad in [None, Some(""), Some("0"), Some("601"), Some("-5"), Some("1e3"), Some("15 minutes"), Some("99999")]
        {
            assert_eq!(Crossing::parse(RawCrossing { minutes: bad, ..raw("overrun") }), Err(CrossingError::Minutes));
        }
        let contact = RawCrossing { channel: Some("text"), initiated_by: Some("client"), ..raw("contact") };
        assert_eq!(
            Crossing::parse(contact),
            Ok(Crossing::Contact { channel: Channel::TextMessage, initiated_by: Initiator::Client })
        );
        assert_eq!(Crossing::parse(RawCrossing { channel: Some("fax"), ..contact }), Err(CrossingError::Channel));
        assert_eq!(Crossing::parse(RawCrossing { initiated_by: None, ..contact }), Err(CrossingError::Initiator));
        assert_eq!(
            Crossing::parse(RawCrossing { gift: Some("received"), ..raw("gift") }),
            Ok(Crossing::Gift { direction: GiftDirection::Received })
        );
        assert_eq!(Crossing::parse(raw("gift")), Err(CrossingError::Gift));
        // Details of another kind are ignored, not stored.
        let disclosure = Crossing::parse(RawCrossing { minutes: Some("20"), ..raw("self-disclosure") }).unwrap();
        assert_eq!((disclosure.kind(), disclosure.minutes()), (BoundaryKind::SelfDisclosure, None));
        for bad in ["", "violation", "OVERRUN", "overrun\u{0}", "<script>"] {
            assert_eq!(Crossing::parse(raw(bad)), Err(CrossingError::UnknownKind), "{bad:?}");
        }
        for kind in BoundaryKind::ALL {
            assert_eq!(BoundaryKind::parse(kind.code()), Some(kind));
        }
    }

    fn event(client: i64, kind: BoundaryKind, on: Date, minutes: Option<u16>) -> Dated {
        Dated { client, kind, on, minutes }
    }

    #[test]
    fn overruns_growing_with_one_client_are_a_prompt_and_a_year_old_event_is_not_counted() {
        use BoundaryKind::*;
        // Quarters counted back from 7 Dec 2026: latest from 8 Sep (91 days back is 7 Sep, the quarter before).
        let events = [
            event(1, Overrun, date!(2026 - 01 - 20), Some(10)), // oldest quarter (back 321 days)
            event(1, Overrun, date!(2026 - 06 - 01), Some(10)), // back 189: the second
            event(1, Overrun, date!(2026 - 09 - 07), Some(15)), // back 91: the third
            event(1, Overrun, date!(2026 - 10 - 01), Some(20)),
            event(1, Overrun, date!(2026 - 12 - 07), Some(25)),
            event(1, Overrun, date!(2026 - 11 - 15), Some(30)),
            event(2, Gift, date!(2025 - 12 - 01), None), // back 371 days: before the year
            event(2, Contact, date!(2026 - 03 - 01), None),
            event(2, Contact, date!(2026 - 04 - 01), None),
            event(2, Contact, date!(2026 - 05 - 01), None),
            event(3, SelfDisclosure, date!(2026 - 11 - 01), None),
        ];
        let found = per_client(&events, TODAY);
        let of = |client, kind| found.iter().find(|a| a.client == Some(client) && a.kind == kind).unwrap();
        let overruns = of(1, Overrun);
        assert_eq!(overruns.counts, [1, 1, 1, 3]);
        assert_eq!(overruns.minutes, [10, 10, 15, 75]);
        assert_eq!(overruns.prompt, Prompt::Growing);
        // Three contacts spread over two quarters, none lately: recurring, not growing.
        assert_eq!(of(2, Contact).counts, [1, 2, 0, 0]);
        assert_eq!(of(2, Contact).prompt, Prompt::Recurring);
        assert_eq!(of(3, SelfDisclosure).prompt, Prompt::Quiet, "one crossing is not a pattern");
        assert!(found.iter().all(|a| a.kind != Gift), "a year and more ago: not counted");
        assert_eq!(found[0].kind, Overrun, "growing first");

        let across = per_therapist(&events, TODAY);
        assert_eq!(across.iter().map(|a| a.client).collect::<Vec<_>>(), vec![None; 3]);
        assert_eq!(across.iter().find(|a| a.kind == Overrun).unwrap().counts, [1, 1, 1, 3]);
    }

    #[test]
    fn growing_needs_two_in_the_latest_quarter_and_more_than_any_before() {
        assert_eq!(prompt(&[0, 0, 0, 1]), Prompt::Quiet);
        assert_eq!(prompt(&[0, 0, 0, 2]), Prompt::Growing);
        assert_eq!(prompt(&[2, 0, 0, 2]), Prompt::Recurring, "as many as before is not growing");
        assert_eq!(prompt(&[3, 1, 0, 0]), Prompt::Recurring);
        assert_eq!(prompt(&[1, 0, 0, 1]), Prompt::Quiet);
        // An event dated after today (a clock apart) counts in the latest quarter rather than vanishing.
        assert_eq!(window(date!(2026 - 12 - 09), TODAY), Some(WINDOWS - 1));
        assert_eq!(window(date!(2025 - 12 - 09), TODAY), Some(0), "363 days back");
        assert_eq!(window(date!(2025 - 12 - 08), TODAY), None, "364 days back: four whole quarters");
    }
}
