//! `alliance analyze calibration` prints the calibration figures as JSON with exactly the agreed keys, and the
//! figures meet the limits (docs/SCIENCE.md#not-on-track). Seed 5 was never used for tuning (the rule and
//! the generator were tuned on seeds 1 and 2); six practices keep the debug run to a few seconds.

use serde_json::Value;

use crate::alliance;

#[test]
fn calibration_prints_every_figure_and_each_meets_its_limit() {
    let run = alliance(&["analyze", "calibration", "--seed", "5", "--practices", "6"]).ok();
    let json: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "ever_red_on_model",
            "ever_yellow_on_model",
            "not_on_track_sensitivity",
            "red_exceedance_by_session",
            "red_nominal_exceedance",
            "rupture_signals_per_client",
            "ruptures_planted_per_client",
        ]
    );
    let figure = |key: &str| json[key].as_f64().unwrap_or_else(|| panic!("{key} is not a number"));
    // The red edge is the upper edge of the default 90 % two-sided interval: 5 % beyond it.
    let nominal = figure("red_nominal_exceedance");
    assert!((nominal - 0.05).abs() < 1e-12, "{nominal}");
    let by_session = json["red_exceedance_by_session"].as_object().unwrap();
    for session in 2..=12 {
        let share = by_session[&session.to_string()].as_f64().unwrap();
        // Fewer practices than the core test: a wider allowance for sampling (about 600 scores a session).
        assert!((share - nominal).abs() <= 0.03, "session {session}: {share}");
    }
    assert!(by_session.values().all(|v| v.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x))));
    let (red, yellow) = (figure("ever_red_on_model"), figure("ever_yellow_on_model"));
    assert!(red <= 0.10, "ever red {red}");
    assert!(red <= yellow && yellow <= 0.25, "ever yellow {yellow}");
    let sensitivity = figure("not_on_track_sensitivity");
    assert!(sensitivity >= 0.70, "sensitivity {sensitivity}");
    let (signals, planted) = (figure("rupture_signals_per_client"), figure("ruptures_planted_per_client"));
    assert!(planted > 1.0 && planted < 5.0, "planted ruptures per client {planted}");
    assert!((0.75..=1.25).contains(&(signals / planted)), "{signals} rupture signals per client, {planted} planted");
}
