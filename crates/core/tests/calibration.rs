//! Calibration of the synthetic practice generator: the planted alliance-outcome correlation and therapist
//! share (defined in the `simulate` module docs) are recovered from a large generated practice.
//!
//! Estimators, written here from the generated clients' public fields only:
//! - r: Pearson correlation across clients between `alliance_trait` and the improvement `-log_slope`, with a
//!   95 % interval from Fisher's z, `atanh(r) ± 1.96 / sqrt(n - 3)`. The alliance trait does not depend on the
//!   therapist, so clustering by therapist does not inflate the variance of this correlation.
//! - therapist share: one-way random-effects ANOVA of `log_slope` by therapist, ICC(1) =
//!   `(MSB - MSW) / (MSB + (n0 - 1) MSW)` with the exact F-based 95 % interval for balanced groups
//!   (Searle 1971; Shrout & Fleiss 1979 ICC(1,1)): with `F = MSB / MSW`, `F_L = F / F(.975; k-1, N-k)`,
//!   `F_U = F * F(.975; N-k, k-1)`, the interval is `(F_L - 1) / (F_L + n0 - 1)` to `(F_U - 1) / (F_U + n0 - 1)`.
//!   The groups here are balanced (`n0` is the group size); the F quantiles come from a regularised incomplete
//!   beta function written below and checked against R's `qf`.

use alliance_core::scoring::score;
use alliance_core::simulate::{PracticeParams, SimPractice, practice};

use crate::catalog;

const Z_975: f64 = 1.959_963_984_540_054;

/// The calibration practice: 80 therapists with 150 clients each.
fn big(seed: u64, r: f64, share: f64) -> SimPractice {
    practice(&PracticeParams {
        seed,
        therapists: 80,
        clients: 12_000,
        alliance_outcome_r: r,
        therapist_share: share,
        // Every client follows the slope model here: planted not-on-track clients would break the planted r.
        not_on_track_share: 0.0,
        ..PracticeParams::default()
    })
}

#[derive(Debug, Clone, Copy)]
struct Interval {
    estimate: f64,
    low: f64,
    high: f64,
}

impl Interval {
    fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.4} [{:.4}, {:.4}]", self.estimate, self.low, self.high)
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len());
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Pearson r with its Fisher-z 95 % interval.
fn correlation(x: &[f64], y: &[f64]) -> Interval {
    let r = pearson(x, y);
    let half = Z_975 / (x.len() as f64 - 3.0).sqrt();
    let z = r.atanh();
    Interval { estimate: r, low: (z - half).tanh(), high: (z + half).tanh() }
}

/// One-way random-effects ICC(1) of `values` grouped by `group`, with its F-based 95 % interval.
fn icc_oneway(values: &[f64], group: &[usize]) -> Interval {
    let k = group.iter().max().map_or(0, |g| g + 1);
    let mut sums = vec![0.0; k];
    let mut counts = vec![0usize; k];
    for (v, g) in values.iter().zip(group) {
        sums[*g] += v;
        counts[*g] += 1;
    }
    assert!(counts.iter().all(|c| *c > 1), "every group needs two or more members");
    let n_total = values.len() as f64;
    let grand = mean(values);
    let group_means: Vec<f64> = sums.iter().zip(&counts).map(|(s, c)| s / *c as f64).collect();
    let ssb: f64 = group_means.iter().zip(&counts).map(|(m, c)| *c as f64 * (m - grand).powi(2)).sum();
    let ssw: f64 = values.iter().zip(group).map(|(v, g)| (v - group_means[*g]).powi(2)).sum();
    let (df_b, df_w) = ((k - 1) as f64, n_total - k as f64);
    let (msb, msw) = (ssb / df_b, ssw / df_w);
    // Effective group size (equal to the group size when groups are balanced).
    let n0 = (n_total - counts.iter().map(|c| (*c as f64).powi(2)).sum::<f64>() / n_total) / df_b;
    let icc = |f: f64| (f - 1.0) / (f + n0 - 1.0);
    let f = msb / msw;
    let f_low = f / f_quantile(0.975, df_b, df_w);
    let f_high = f * f_quantile(0.975, df_w, df_b);
    Interval { estimate: (msb - msw) / (msb + (n0 - 1.0) * msw), low: icc(f_low), high: icc(f_high) }
}

struct Estimates {
    r: Interval,
    share: Interval,
}

fn estimate(p: &SimPractice) -> Estimates {
    let alliance: Vec<f64> = p.clients.iter().map(|c| c.alliance_trait).collect();
    let improvement: Vec<f64> = p.clients.iter().map(|c| -c.log_slope).collect();
    let slopes: Vec<f64> = p.clients.iter().map(|c| c.log_slope).collect();
    let therapist: Vec<usize> = p.clients.iter().map(|c| c.therapist).collect();
    Estimates { r: correlation(&alliance, &improvement), share: icc_oneway(&slopes, &therapist) }
}

#[test]
fn planted_correlation_and_therapist_share_are_recovered() {
    let p = big(2028, 0.28, 0.05);
    assert_eq!(p.therapists.len(), 80);
    let e = estimate(&p);
    eprintln!("planted r .28, share .05: r {}, therapist share {}", e.r, e.share);
    assert!(e.r.contains(0.28), "alliance-outcome r {} does not cover .28", e.r);
    assert!(e.share.contains(0.05), "therapist share {} does not cover .05", e.share);
    // Precise enough to tell the published values from their neighbours.
    assert!(e.r.high - e.r.low < 0.04, "r interval too wide: {}", e.r);
    assert!(e.share.high - e.share.low < 0.05, "share interval too wide: {}", e.share);
}

#[test]
fn another_calibration_is_recovered_and_told_apart() {
    let p = big(2029, 0.10, 0.20);
    let e = estimate(&p);
    eprintln!("planted r .10, share .20: r {}, therapist share {}", e.r, e.share);
    assert!(!e.r.contains(0.28), "r {} is consistent with .28", e.r);
    assert!(!e.share.contains(0.05), "share {} is consistent with .05", e.share);
    assert!(e.r.contains(0.10), "r {} does not cover .10", e.r);
    assert!(e.share.contains(0.20), "share {} does not cover .20", e.share);
}

#[test]
fn observed_scores_carry_the_published_observed_association() {
    // What a researcher sees: the client's mean relationship-check alliance score and their PHQ-9 change
    // per unit of log(session) (least squares), from the scored answers. Measurement noise, ceilings, the
    // PHQ-9 floor and the planted not-on-track clients attenuate the latent r, so the latent default (.50) is set
    // above the observed target. Flückiger et al. (2018) pooled an observed r of .278; the default was set by
    // looking at these two seeds, so this is a check that it stays there, not a held-out test.
    let c = catalog();
    let (phq9, check) = (c.get("phq9").unwrap(), c.get("relationship-check").unwrap());
    for seed in [2030, 2031] {
        let p = practice(&PracticeParams { seed, therapists: 40, clients: 3_000, ..PracticeParams::default() });
        let (mut alliance, mut improvement) = (Vec::new(), Vec::new());
        for client in &p.clients {
            let checks: Vec<f64> = client
                .sessions
                .iter()
                .filter_map(|s| s.check.as_ref())
                .map(|a| score(check, a).unwrap().value("alliance").unwrap())
                .collect();
            let points: Vec<(f64, f64)> = client
                .sessions
                .iter()
                .map(|s| (f64::from(s.number).ln(), score(phq9, &s.phq9).unwrap().value("total").unwrap()))
                .collect();
            if checks.is_empty() {
                continue;
            }
            let (xs, ys): (Vec<f64>, Vec<f64>) = points.into_iter().unzip();
            let (mx, my) = (mean(&xs), mean(&ys));
            let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
            let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
            alliance.push(mean(&checks));
            improvement.push(-sxy / sxx);
        }
        let observed = correlation(&alliance, &improvement);
        eprintln!("seed {seed}: observed r (mean check alliance vs PHQ-9 improvement per log session): {observed}");
        assert!(observed.contains(0.278), "seed {seed}: observed r {observed} does not cover .278");
        assert!((observed.estimate - 0.278).abs() < 0.03, "seed {seed}: observed r {observed}");
    }
}

// --- F quantiles: the core's (`research::f_quantile`), checked here against R ---

use alliance_core::research::f_quantile;

#[test]
fn f_quantiles_match_r() {
    // R 4: qf(p, d1, d2).
    let cases = [
        (0.975, 79.0, 11_920.0, 1.336_691_464_854_402),
        (0.975, 11_920.0, 79.0, 1.404_191_230_978_912),
        (0.975, 5.0, 10.0, 4.236_085_668_188_633),
        (0.025, 3.0, 7.0, 0.068_378_896_937_560_1),
        (0.5, 1.0, 1.0, 1.0),
        (0.99, 2.0, 200.0, 4.712_854_805_089_939),
    ];
    for (p, d1, d2, want) in cases {
        let got = f_quantile(p, d1, d2);
        assert!((got - want).abs() <= 1e-9 * want, "qf({p}, {d1}, {d2}): {got} vs R {want}");
    }
}

#[test]
fn icc_of_constructed_groups() {
    // Group means 0 and 2, grand mean 1: SSW = 4 + 4 over 8 df, MSW = 1; SSB = 5 * 1 + 5 * 1 over 1 df,
    // MSB = 10; ICC(1) = (10 - 1) / (10 + 4 * 1) = 9 / 14.
    let values = [-1.0, 0.0, 1.0, -1.0, 1.0, 1.0, 2.0, 3.0, 1.0, 3.0];
    let group = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    let i = icc_oneway(&values, &group);
    assert!((i.estimate - 9.0 / 14.0).abs() < 1e-12, "{i}");
    assert!(i.low < i.estimate && i.estimate < i.high);
}

// --- The not-on-track rule, measured on held-out generated clients (docs/SCIENCE.md#not-on-track) ---

use alliance_core::calibration::{CalibrationOptions, calibrate};
use alliance_core::practice::SignalSettings;

/// How the rule was chosen: red edge level and scores in a row, on the tuning seeds 1 and 2 (never used by the
/// asserting tests). Run with `cargo test -p alliance-core --test integration calibration::tuning -- --ignored
/// --nocapture`.
#[test]
#[ignore = "prints the tuning grid"]
fn tuning_grid() {
    use alliance_core::simulate::PracticeParams;
    // What was tried on the tuning seeds 1 and 2 (10 practices each): planted share and slope, red level 0.85 or
    // 0.9, one or two scores in a row; docs/SCIENCE.md#not-on-track has the table.
    for (share, slope) in [(0.08, (1.0, 3.5)), (0.05, (2.5, 4.5)), (0.03, (3.0, 5.0))] {
        for red_level in [0.85, 0.9] {
            for in_a_row in 1..=3 {
                let settings = SignalSettings {
                    red_level,
                    yellow_level: red_level - 0.2,
                    not_on_track_in_a_row: in_a_row,
                    ..SignalSettings::default()
                };
                let generator = PracticeParams {
                    not_on_track_share: share,
                    not_on_track_slope: slope,
                    ..PracticeParams::default()
                };
                for seed in [1, 2] {
                    let options = CalibrationOptions {
                        settings,
                        generator: generator.clone(),
                        ..CalibrationOptions::new(seed, 10)
                    };
                    let r = calibrate(&catalog(), &options).unwrap();
                    let worst = r
                        .red_exceedance_by_session
                        .iter()
                        .filter(|(s, _)| (2..=12).contains(*s))
                        .map(|(_, e)| e - r.red_nominal_exceedance)
                        .fold(0.0, |a: f64, b| if b.abs() > a.abs() { b } else { a });
                    eprintln!(
                        "NOT {share} {slope:?} red {red_level} x{in_a_row} seed {seed}: worst exceedance - nominal \
                         {worst:+.3}, ever red {:.3}, ever yellow {:.3}, sensitivity {:.3}, ruptures {:.2} / {:.2}",
                        r.ever_red_on_model,
                        r.ever_yellow_on_model,
                        r.not_on_track_sensitivity,
                        r.rupture_signals_per_client,
                        r.ruptures_planted_per_client
                    );
                }
            }
        }
    }
}

/// The done criteria of issue 12 on seeds never used for tuning (tuning used seeds 1 and 2): 20 practices of 200
/// clients each, every client judged once, by a model fitted on the other half of its practice. Oracles: the
/// nominal exceedance from the red level, the limits, and the ruptures counted here from the generator.
#[test]
fn the_rule_is_calibrated_on_held_out_seeds() {
    use alliance_core::simulate::PracticeParams;
    for seed in [3, 4] {
        let options = CalibrationOptions::new(seed, 20);
        let r = calibrate(&catalog(), &options).unwrap();
        eprintln!("seed {seed}: {r:?}");
        let nominal = (1.0 - SignalSettings::default().red_level) / 2.0;
        assert!((r.red_nominal_exceedance - nominal).abs() < 1e-12 && (nominal - 0.05).abs() < 1e-12);
        for session in 2..=12u32 {
            let e = r.red_exceedance_by_session[&session];
            assert!((e - nominal).abs() <= 0.02, "seed {seed} session {session}: {e:.4} beyond the red edge");
        }
        assert!(r.ever_red_on_model <= 0.10, "seed {seed}: {:.3} ever red", r.ever_red_on_model);
        // Yellow is a warning: at least as often as red, at most a quarter of on-model clients (a project bound).
        assert!(r.ever_red_on_model <= r.ever_yellow_on_model && r.ever_yellow_on_model <= 0.25, "{r:?}");
        assert!(r.not_on_track_sensitivity >= 0.70, "seed {seed}: sensitivity {:.3}", r.not_on_track_sensitivity);
        // Planted ruptures, counted from the generator itself.
        let (mut planted, mut clients) = (0usize, 0usize);
        for index in 0..options.practices {
            let p = practice(&PracticeParams {
                seed: seed.wrapping_mul(1_000_003).wrapping_add(index as u64),
                therapists: options.therapists,
                clients: options.clients,
                ..PracticeParams::default()
            });
            clients += p.clients.len();
            planted += p.clients.iter().flat_map(|c| &c.sessions).filter(|s| s.rupture_planted).count();
        }
        assert!((r.ruptures_planted_per_client - planted as f64 / clients as f64).abs() < 1e-12);
        // The issue asks for rupture signals within 25 % of the planted rate.
        let ratio = r.rupture_signals_per_client / r.ruptures_planted_per_client;
        assert!((0.75..=1.25).contains(&ratio), "seed {seed}: {ratio:.3} rupture signals per planted rupture");
    }
}
