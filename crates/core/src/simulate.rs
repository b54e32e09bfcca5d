//! A seeded, deterministic generator of synthetic practices, calibrated to the literature
//! (docs/SCIENCE.md#synthetic-practice): an observed alliance-outcome association near r = .28 (Flückiger et al.
//! 2018, an observed figure), therapist effects 5 % of outcome variance (Johns et al. 2019), clients reporting
//! tension in 19-42 % of sessions (Eubanks et al. 2018), alliance near the ceiling of the check, missed measures,
//! dropout (about one in five, Swift & Greenberg 2012) and planted not-on-track clients. It produces item-level
//! answers, so the demo and tests run through the same scoring path as real responses.
//!
//! # What the two calibration parameters mean
//!
//! Each client's PHQ-9 course is `intake + log_slope * ln(session) + noise`, so the client's expected
//! outcome at any session `t`, net of intake, is `log_slope * ln(t)`: [`SimClient::log_slope`] is the
//! client's latent rate of change (negative is improvement). Both parameters are population values of latent
//! (error-free) quantities that every generated client carries, and they hold exactly in the generating
//! model:
//!
//! * [`PracticeParams::alliance_outcome_r`] is the Pearson correlation, across clients, between the client's
//!   alliance trait ([`SimClient::alliance_trait`], standard normal: the trait-like, between-client part of
//!   the alliance, i.e. the client's mean alliance in the within/between split of
//!   docs/SCIENCE.md#published-effects) and the client's improvement, `-log_slope` (equivalently, the
//!   expected improvement by any fixed session). This is the quantity Flückiger et al. (2018) pool: alliance
//!   with outcome, oriented so that positive means a better alliance goes with more improvement.
//! * [`PracticeParams::therapist_share`] is the share of the variance in clients' latent rate of change,
//!   `Var(log_slope)`, that lies between therapists: the intraclass correlation of `log_slope` within
//!   therapists. Because the expected outcome net of intake is `log_slope * ln(t)`, it is also the therapist
//!   share of the variance of the (error-free) outcome at any fixed session, adjusted for intake: the ICC
//!   Johns et al. (2019) summarise as therapist effects.
//!
//! Construction: therapist `j` has effect `u_j ~ N(0, share * slope_sd^2)`; the alliance trait `a_i` is
//! independent of the therapist; `log_slope_i = mean_log_slope + u_j - slope_sd * (r * a_i + c * e_i)` with
//! `e_i` standard normal and `c = sqrt(1 - share - r^2)`. Then `Var(log_slope) = slope_sd^2`, the ICC is
//! `share` and `corr(a, -log_slope) = r`. The two must satisfy `r^2 + share <= 1`; `share` is clamped to
//! `[0, 0.99]` and then `|r|` to at most `sqrt(1 - share)`.
//!
//! Planted not-on-track clients ([`SimClient::not_on_track`]) take a worsening `log_slope` instead of the one
//! above, so the latent correlation over all clients is a little below `r`; `tests/calibration.rs` recovers `r` and
//! `share` with no planted clients, and checks the observed correlation with the defaults.
//!
//! The alliance trait does not vary between therapists here, so the whole alliance-outcome association is
//! between clients of the same therapist (Baldwin et al. 2007 find much of it between therapists; that is
//! not modelled). Observed associations, from the scored relationship checks and PHQ-9 totals, are weaker
//! than the latent ones: session noise, item rounding, ceilings on alliance items and the PHQ-9 floor
//! attenuate them, as they do in real data. `tests/calibration.rs` recovers both parameters from a large
//! generated practice.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::scoring::{Answer, Answers};

#[derive(Debug, Clone, PartialEq)]
pub struct PracticeParams {
    pub seed: u64,
    pub therapists: usize,
    pub clients: usize,
    /// Inclusive range of sessions per client.
    pub sessions: (u32, u32),
    /// Correlation across clients between the latent alliance trait and the latent improvement
    /// (`-log_slope`); see the module docs.
    pub alliance_outcome_r: f64,
    /// Share of the variance in clients' latent rate of change (`log_slope`) that lies between therapists
    /// (an intraclass correlation); see the module docs.
    pub therapist_share: f64,
    /// Per-client probability range of reporting a moment that felt off in a session.
    pub rupture_report_rate: (f64, f64),
    /// Probability that a client skips the post-session check.
    pub missed_check_rate: f64,
    /// Mean change in the PHQ-9 per unit of log(session number); negative is improvement.
    pub mean_log_slope: f64,
    /// Total SD (therapist and client parts together) of the client's rate of change per unit of log(session).
    pub slope_sd: f64,
    /// Share of clients planted as not on track: their PHQ-9 worsens (a rate of change drawn from
    /// `not_on_track_slope`) whatever their alliance. Flagged in [`SimClient::not_on_track`].
    pub not_on_track_share: f64,
    /// Range of the planted not-on-track clients' rate of change per unit of log(session) (positive: worse).
    pub not_on_track_slope: (f64, f64),
    /// Share of clients who end early (drop out), after their second session and before their planned last.
    /// Used by [`DropoutModel::Independent`] only.
    pub dropout_share: f64,
    /// How dropout arises; the default keeps every existing practice as it was.
    pub dropout_model: DropoutModel,
    /// Groups of clients who answer in different styles at the same underlying need (issue 20, fairness of
    /// signals): client `i` belongs to group `i % groups.len()`. Empty (the default): one group answering as
    /// drawn, every existing practice exactly as it was.
    pub groups: Vec<ResponseStyle>,
}

/// How a group of clients answers, at the same underlying need (docs/SCIENCE.md#fairness-of-signals). Every
/// client's latent course (alliance, ruptures, symptoms, not-on-track, dropout) is drawn exactly as for any other
/// client, with the same random draws; only the answers the client gives are transformed. So ruptures and
/// off-track courses are planted at the same rates in every group, and a signal that fires more or less often for
/// one group fires so because of how that group answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseStyle {
    pub name: String,
    /// Points added to the relationship check's alliance total (6-30) every session: a group that rates the
    /// alliance lower (negative) throughout without more ruptures.
    pub alliance_offset: f64,
    /// Stretch of each relationship-check answer about the item scale's midpoint (3 of 1-5) before rounding: 1
    /// answers as drawn, above 1 uses the ends of the scale more (extreme response style).
    pub extremity: f64,
    /// Multiplier of the relationship check's item-level answer noise (1: as drawn; 2: twice as noisy).
    pub item_noise: f64,
    /// PHQ-9 points added to the severity the client reports every session, intake included: a group that
    /// reports more symptoms at the same underlying course.
    pub symptom_offset: f64,
}

impl ResponseStyle {
    /// Answers as drawn: the style of a practice without groups.
    pub fn as_drawn(name: &str) -> Self {
        ResponseStyle {
            name: name.to_owned(),
            alliance_offset: 0.0,
            extremity: 1.0,
            item_noise: 1.0,
            symptom_offset: 0.0,
        }
    }
}

/// How a generated client comes to drop out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DropoutModel {
    /// A share of clients ([`PracticeParams::dropout_share`]) end early, whatever happened in their sessions;
    /// every session is attended.
    #[default]
    Independent,
    /// Clients miss sessions, and after each session from the fourth a client stops coming with a hazard that
    /// rises with a falling or weak alliance, recent ruptures, skipped checks and missed sessions (issue 18;
    /// [`dropout_hazard`]). Its randomness comes from a stream of its own, so the rest of the practice is drawn
    /// as in the independent model. A project model, not fitted to real data.
    AllianceDependent,
}

impl Default for PracticeParams {
    fn default() -> Self {
        Self {
            seed: 2026,
            therapists: 3,
            clients: 40,
            sessions: (4, 20),
            // Latent, set so that the observed correlation (mean relationship-check score with PHQ-9 change per
            // log session) comes out near Flückiger et al.'s (2018) observed .28: session noise, item rounding,
            // the alliance ceiling and the planted not-on-track clients attenuate it (tests/calibration.rs).
            alliance_outcome_r: 0.50,
            therapist_share: 0.05,
            rupture_report_rate: (0.05, 0.40),
            missed_check_rate: 0.08,
            mean_log_slope: -2.6,
            slope_sd: 2.0,
            // Project defaults (docs/SCIENCE.md#synthetic-practice): 3 % of clients planted as rapidly
            // deteriorating, on top of the on-model clients whose own slope is worsening; together they give the
            // reliable deterioration rate that tests/simulate.rs measures. Routine care reports reliable
            // deterioration in several per cent of clients; no rate was confirmed at its source for this change.
            // Chosen with the rule on the tuning seeds 1 and 2 (docs/SCIENCE.md#not-on-track).
            not_on_track_share: 0.03,
            not_on_track_slope: (3.0, 5.0),
            // Swift & Greenberg (2012) pooled about one client in five dropping out of psychotherapy (weighted
            // mean 19.7 %; docs/SCIENCE.md#synthetic-practice).
            dropout_share: 0.20,
            dropout_model: DropoutModel::Independent,
            groups: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimPractice {
    pub therapists: Vec<SimTherapist>,
    pub clients: Vec<SimClient>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimTherapist {
    /// Latent effect on the client's rate of change (negative helps).
    pub slope_effect: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimClient {
    pub pseudonym: String,
    pub therapist: usize,
    /// Latent alliance trait (standard normal).
    pub alliance_trait: f64,
    /// Latent rate of change per unit of log(session).
    pub log_slope: f64,
    pub intake: f64,
    /// Planted as not on track: the PHQ-9 worsens whatever the alliance (see `PracticeParams::not_on_track_share`).
    pub not_on_track: bool,
    /// Ended before the planned last session.
    pub dropped_out: bool,
    /// Index into [`PracticeParams::groups`] (0 when the practice has no groups).
    pub group: usize,
    pub sessions: Vec<SimSession>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimSession {
    pub number: u32,
    /// Days before the practice's "today" (0 = today).
    pub days_ago: i64,
    pub phq9: Answers,
    pub gad7: Answers,
    /// `None` when the client skipped the check.
    pub check: Option<Answers>,
    pub reflection: Answers,
    /// Latent alliance total on the 6-30 scale, before item rounding.
    pub alliance_latent: f64,
    /// A rupture was planted in this session (the client reports it when the check is answered).
    pub rupture_planted: bool,
    /// The client came. Always true in the independent dropout model; a missed session has no check, and its
    /// questionnaires are empty.
    pub attended: bool,
}

const COLOURS: &[&str] = &[
    "Amber", "Birch", "Cedar", "Coral", "Dune", "Ember", "Fern", "Flint", "Hazel", "Indigo", "Juniper", "Linen",
    "Maple", "Moss", "Ochre", "Pebble", "Quartz", "Rowan", "Sage", "Slate",
];
const NOUNS: &[&str] = &[
    "Heron", "Otter", "Finch", "Lark", "Wren", "Fox", "Hare", "Robin", "Swift", "Kestrel", "Badger", "Marten",
    "Plover", "Teal", "Stoat", "Vole", "Egret", "Tern", "Crane", "Owl",
];

/// Generates a practice. The same parameters always give the same practice.
pub fn practice(params: &PracticeParams) -> SimPractice {
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let share = if params.therapist_share.is_nan() { 0.0 } else { params.therapist_share.clamp(0.0, 0.99) };
    let slope_sd = if params.slope_sd.is_finite() { params.slope_sd.abs() } else { 0.0 };
    let therapist_sd = slope_sd * share.sqrt();
    let r_max = (1.0 - share).sqrt();
    let r = if params.alliance_outcome_r.is_nan() { 0.0 } else { params.alliance_outcome_r.clamp(-r_max, r_max) };
    let latent = Latent { r, unique: (1.0 - share - r * r).max(0.0).sqrt(), slope_sd };
    let therapists = (0..params.therapists.max(1))
        .map(|_| SimTherapist { slope_effect: therapist_sd * std_normal(&mut rng) })
        .collect::<Vec<_>>();
    let drawn = ResponseStyle::as_drawn("");
    let clients = (0..params.clients)
        .map(|index| {
            let therapist = index % therapists.len();
            let effect = therapists.get(therapist).map_or(0.0, |t| t.slope_effect);
            let group = if params.groups.is_empty() { 0 } else { index % params.groups.len() };
            let style = params.groups.get(group).unwrap_or(&drawn);
            let mut client = client(&mut rng, params, &latent, index, therapist, effect, style);
            client.group = group;
            client
        })
        .collect();
    SimPractice { therapists, clients }
}

/// The client-level part of the slope model (see the module docs).
struct Latent {
    /// Alliance-outcome correlation, after clamping.
    r: f64,
    /// Weight of the client's own slope deviation: `sqrt(1 - share - r^2)`.
    unique: f64,
    /// Total SD of the rate of change.
    slope_sd: f64,
}

fn client(
    rng: &mut ChaCha8Rng,
    p: &PracticeParams,
    latent: &Latent,
    index: usize,
    therapist: usize,
    effect: f64,
    style: &ResponseStyle,
) -> SimClient {
    let alliance_trait = std_normal(rng);
    // A stronger alliance goes with faster improvement (a more negative slope on a symptom scale).
    // The response has variance 1 - share, so with the therapist's effect the slope's variance is slope_sd^2.
    let response = latent.r * alliance_trait + latent.unique * std_normal(rng);
    let on_model_slope = p.mean_log_slope + effect - latent.slope_sd * response;
    let not_on_track = rng.random_bool(p.not_on_track_share.clamp(0.0, 1.0));
    let (worst_low, worst_high) = (p.not_on_track_slope.0, p.not_on_track_slope.1.max(p.not_on_track_slope.0));
    let log_slope = if not_on_track { rng.random_range(worst_low..=worst_high) } else { on_model_slope };
    let intake = (15.0 + 4.5 * std_normal(rng)).clamp(5.0, 27.0);
    let (low, high) = (p.sessions.0.max(1), p.sessions.1.max(p.sessions.0.max(1)));
    let planned = rng.random_range(low..=high);
    let independent_dropout = planned > 3 && rng.random_bool(p.dropout_share.clamp(0.0, 1.0));
    let count = if independent_dropout { rng.random_range(2..planned) } else { planned };
    let last_days_ago = rng.random_range(0..14_i64);
    let rupture_rate = rng.random_range(p.rupture_report_rate.0..=p.rupture_report_rate.1.max(p.rupture_report_rate.0));
    // Near the ceiling, as real ratings are: most clients rate the relationship check 25-30 of 30.
    let alliance_level = (26.5 + 2.2 * alliance_trait).clamp(12.0, 30.0);
    let alliance_noise = rng.random_range(0.6..1.6);
    // Therapists tend to rate the alliance a little lower than clients; a few rate it well above.
    let therapist_bias = if rng.random_bool(0.15) { 4.0 } else { -1.0 + 0.8 * std_normal(rng) };
    let dependent = p.dropout_model == DropoutModel::AllianceDependent;
    // Its own stream per client, so that the independent model's practices stay exactly as they were.
    let mut side =
        ChaCha8Rng::seed_from_u64(p.seed ^ DROPOUT_STREAM ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // A weaker alliance goes with more missed sessions (a project assumption).
    let miss_rate = (0.04 - 0.03 * alliance_trait + side.random_range(0.0..0.10)).clamp(0.01, 0.30);
    // Some clients skip more checks than others, the less engaged more (a project assumption).
    let extra_skip = (0.03 - 0.03 * alliance_trait + side.random_range(0.0..0.12)).clamp(0.0, 0.30);
    let mut dip: f64 = 0.0;
    let mut dropped_out = independent_dropout && !dependent;
    let mut sessions: Vec<SimSession> = Vec::new();
    for number in 1..=(if dependent { planned } else { count }) {
        let attended = !dependent || number == 1 || !side.random_bool(miss_rate);
        let log_t = f64::from(number).ln();
        let symptom = (intake + log_slope * log_t + 1.8 * std_normal(rng)).clamp(0.0, 27.0);
        // A reported rupture lowers this session's alliance; it recovers over the next sessions. A session that
        // did not take place has none.
        let ruptured = number > 1 && rng.random_bool(rupture_rate.clamp(0.0, 1.0)) && attended;
        if ruptured {
            dip += rng.random_range(1.5..5.0);
        }
        let alliance_latent = (alliance_level + 0.6 * log_t - dip + alliance_noise * std_normal(rng)).clamp(6.0, 30.5);
        dip *= 0.45;
        let anxiety = 0.75 * symptom + 1.5 * std_normal(rng);
        let check = (!rng.random_bool(p.missed_check_rate.clamp(0.0, 1.0)))
            .then(|| relationship_check(rng, alliance_latent + style.alliance_offset, ruptured, style));
        let (phq9, gad7, reflection) = (
            phq9(rng, symptom, symptom + style.symptom_offset),
            gad7(rng, anxiety),
            reflection(rng, alliance_latent + therapist_bias, ruptured),
        );
        let check = check.filter(|_| !dependent || !side.random_bool(extra_skip));
        let session = if attended {
            SimSession {
                number,
                days_ago: 0,
                phq9,
                gad7,
                check,
                reflection,
                alliance_latent,
                rupture_planted: ruptured,
                attended,
            }
        } else {
            SimSession {
                number,
                days_ago: 0,
                phq9: Answers::new(),
                gad7: Answers::new(),
                check: None,
                reflection: Answers::new(),
                alliance_latent,
                rupture_planted: ruptured,
                attended,
            }
        };
        sessions.push(session);
        if dependent && number >= 4 && number < planned && side.random_bool(dropout_hazard(&sessions)) {
            dropped_out = true;
            break;
        }
    }
    let count = sessions.len() as u32;
    for session in &mut sessions {
        session.days_ago = last_days_ago + 7 * i64::from(count - session.number);
    }
    let pseudonym =
        format!("{} {}", COLOURS[index % COLOURS.len()], NOUNS[(index / COLOURS.len() + index * 7) % NOUNS.len()]);
    SimClient { pseudonym, therapist, alliance_trait, log_slope, intake, not_on_track, dropped_out, group: 0, sessions }
}

/// Mixed into the seed of the alliance-dependent dropout model's own stream.
const DROPOUT_STREAM: u64 = 0xD00D_5EED_0018;

/// Generating weights of the alliance-dependent dropout hazard (a project model, not fitted to real data; about
/// one client in four drops out, a little above Swift & Greenberg's 2012 pooled 19.7 %): per point of latent alliance trend (latest
/// minus the mean of up to three earlier), per point of latent alliance below 26.5, per rupture planted in the
/// last four sessions, per skipped check and per missed session among the last four.
pub const HAZARD_WEIGHTS: [f64; 5] = [-0.6, 1.8, 0.8, 1.5, 2.2];

/// Log-odds of the per-session dropout hazard with every term at zero.
pub const HAZARD_INTERCEPT: f64 = -10.6;

/// The chance that a client stops coming after the last of `sessions` (the alliance-dependent model): a logistic
/// hazard of the latent alliance's trend and level, recent ruptures, skipped checks and missed sessions.
pub fn dropout_hazard(sessions: &[SimSession]) -> f64 {
    let Some((latest, earlier)) = sessions.split_last() else { return 0.0 };
    let before: Vec<f64> = earlier.iter().rev().take(3).map(|s| s.alliance_latent).collect();
    let trend =
        if before.is_empty() { 0.0 } else { latest.alliance_latent - before.iter().sum::<f64>() / before.len() as f64 };
    let recent = &sessions[sessions.len().saturating_sub(4)..];
    let level = recent.iter().rev().take(3).map(|s| s.alliance_latent).sum::<f64>() / recent.len().min(3) as f64;
    let ruptures = recent.iter().filter(|s| s.rupture_planted).count() as f64;
    let missed_checks = recent.iter().filter(|s| s.attended && s.check.is_none()).count() as f64;
    let missed_sessions = recent.iter().filter(|s| !s.attended).count() as f64;
    let terms = [trend, 26.5 - level, ruptures, missed_checks, missed_sessions];
    let linear = HAZARD_INTERCEPT + HAZARD_WEIGHTS.iter().zip(terms).map(|(w, x)| w * x).sum::<f64>();
    1.0 / (1.0 + (-linear).exp())
}

fn std_normal(rng: &mut ChaCha8Rng) -> f64 {
    // Normal::new only fails for a non-finite or negative SD; (0, 1) is neither.
    Normal::new(0.0, 1.0).map_or(0.0, |n| n.sample(rng))
}

/// Spreads a latent total over items with the given value range, with item-level noise.
fn items(rng: &mut ChaCha8Rng, ids: &[&str], total: f64, range: (f64, f64), noise: f64) -> Answers {
    styled_items(rng, ids, total, range, noise, 1.0)
}

/// [`items`], each answer stretched by `extremity` about the scale's midpoint before rounding. At 1 nothing is
/// stretched (not even by rounding error), so a practice without groups draws exactly as before.
fn styled_items(
    rng: &mut ChaCha8Rng,
    ids: &[&str],
    total: f64,
    range: (f64, f64),
    noise: f64,
    extremity: f64,
) -> Answers {
    let per_item = total / ids.len() as f64;
    let middle = (range.0 + range.1) / 2.0;
    ids.iter()
        .map(|id| {
            let drawn = per_item + noise * std_normal(rng);
            let stretched = if extremity == 1.0 { drawn } else { middle + extremity * (drawn - middle) };
            ((*id).to_owned(), Answer::Value(stretched.round().clamp(range.0, range.1)))
        })
        .collect()
}

/// PHQ-9 answers for a latent `severity`, reported as `reported` (the severity plus the group's symptom offset).
fn phq9(rng: &mut ChaCha8Rng, severity: f64, reported: f64) -> Answers {
    let mut answers = items(rng, &["1", "2", "3", "4", "5", "6", "7", "8"], reported * 8.0 / 9.0, (0.0, 3.0), 0.5);
    // The risk item is rarely endorsed, and mostly at high severity. Decided on the latent severity, so that a
    // group's style draws no more or fewer random numbers than any other client.
    let risk = severity > 16.0 && rng.random_bool(0.08);
    answers.insert("9".into(), Answer::Value(if risk { 1.0 } else { 0.0 }));
    answers
}

fn gad7(rng: &mut ChaCha8Rng, severity: f64) -> Answers {
    items(rng, &["1", "2", "3", "4", "5", "6", "7"], severity.clamp(0.0, 21.0), (0.0, 3.0), 0.5)
}

const ALLIANCE_ITEMS: [&str; 6] = ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"];

fn relationship_check(rng: &mut ChaCha8Rng, alliance: f64, ruptured: bool, style: &ResponseStyle) -> Answers {
    let (noise, ends) = (style.item_noise, style.extremity);
    let mut answers = styled_items(rng, &ALLIANCE_ITEMS, alliance, (1.0, 5.0), 0.35 * noise, ends);
    let relational = ["understood", "respected", "genuine"];
    answers.extend(styled_items(rng, &relational, alliance / 2.0 + 0.3, (1.0, 5.0), 0.4 * noise, ends));
    answers.insert("rupture".into(), Answer::Choice(if ruptured { "yes" } else { "no" }.into()));
    if ruptured {
        let kind = if rng.random_bool(0.65) { "withdrawal" } else { "confrontation" };
        answers.insert("rupture-kind".into(), Answer::Choices(vec![kind.into()]));
        let discussed = ["yes", "partly", "no"][rng.random_range(0..3)];
        answers.insert("rupture-discussed".into(), Answer::Choice(discussed.into()));
    }
    answers
}

fn reflection(rng: &mut ChaCha8Rng, alliance: f64, ruptured: bool) -> Answers {
    let mut answers = items(rng, &ALLIANCE_ITEMS, alliance.clamp(6.0, 30.0), (1.0, 5.0), 0.35);
    let noticed = ruptured && rng.random_bool(0.5);
    answers.insert("rupture".into(), Answer::Choice(if noticed { "yes" } else { "no" }.into()));
    if noticed {
        let kind = if rng.random_bool(0.6) { "withdrawal" } else { "confrontation" };
        answers.insert("rupture-kind".into(), Answer::Choices(vec![kind.into()]));
        let repaired = ["yes", "partly", "no"][rng.random_range(0..3)];
        answers.insert("rupture-repaired".into(), Answer::Choice(repaired.into()));
    }
    const FEELINGS: [&str; 10] = [
        "warm",
        "protective",
        "hopeful",
        "bored",
        "irritated",
        "anxious",
        "helpless",
        "inadequate",
        "sad",
        "overwhelmed",
    ];
    let picked: Vec<String> = FEELINGS.iter().filter(|_| rng.random_bool(0.15)).map(|f| (*f).to_owned()).collect();
    if !picked.is_empty() {
        answers.insert("feelings-intensity".into(), Answer::Value(f64::from(rng.random_range(1..=3_u8))));
        answers.insert("feelings".into(), Answer::Choices(picked));
    }
    let supervise = noticed || rng.random_bool(0.05);
    answers.insert("supervision".into(), Answer::Choice(if supervise { "yes" } else { "no" }.into()));
    answers
}
