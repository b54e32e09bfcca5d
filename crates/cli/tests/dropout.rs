//! `alliance analyze dropout` prints the early warning's figures on generated practices as JSON with exactly
//! the agreed keys, and each meets the floor the core test sets (docs/SCIENCE.md#dropout-warning). Seeds 201-204
//! were never used for tuning (the defaults were tuned on seeds 101-108).

use serde_json::Value;

use crate::alliance;

#[test]
fn dropout_prints_every_figure_and_each_meets_its_floor() {
    let run = alliance(&["analyze", "dropout", "--seed", "201", "--practices", "4"]).ok();
    let json: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "alert_rate",
            "auc",
            "label",
            "median_lead_sessions",
            "n_clients",
            "n_dropouts",
            "sensitivity_at_10pct",
            "weights"
        ]
    );
    let figure = |key: &str| json[key].as_f64().unwrap_or_else(|| panic!("{key} is not a number"));
    assert!(figure("auc") >= 0.75, "AUC {}", figure("auc"));
    assert!(figure("sensitivity_at_10pct") >= 0.22, "sensitivity {}", figure("sensitivity_at_10pct"));
    assert!((0.05..=0.15).contains(&figure("alert_rate")), "alert rate {}", figure("alert_rate"));
    assert!(figure("median_lead_sessions") >= 1.0, "lead {}", figure("median_lead_sessions"));
    let (clients, dropouts) = (figure("n_clients"), figure("n_dropouts"));
    assert!((900.0..=1000.0).contains(&clients), "{clients} clients");
    assert!((0.15..=0.35).contains(&(dropouts / clients)), "{dropouts} dropouts");
    assert_eq!(json["label"], "generated practices; not validated on real clinical data");
    // The weights printed are the defaults, every one of them.
    let weights = json["weights"].as_object().unwrap();
    let expected = [
        ("intercept", -2.12),
        ("alliance_trend", -0.08),
        ("alliance_shortfall", 0.59),
        ("open_ruptures", 0.0),
        ("missed_checks", 0.23),
        ("missed_sessions", 0.24),
        ("reference_alliance", 26.7),
        ("threshold", 0.635),
    ];
    assert_eq!(weights.len(), expected.len(), "{weights:?}");
    for (name, value) in expected {
        assert_eq!(weights[name].as_f64(), Some(value), "{name}");
    }
}
