//! Properties that hold for every instrument and every possible set of answers.

use alliance_core::instrument::{Aggregation, Instrument, ItemKind};
use alliance_core::scoring::{Answer, Answers, score};
use proptest::prelude::*;

use crate::catalog;

/// Random answers for the rating items of `ins`: each item answered with some valid value or left out.
fn answers_for(ins: &Instrument, picks: &[(bool, usize)]) -> Answers {
    let mut answers = Answers::new();
    for (item, (answered, pick)) in ins.items.iter().filter(|i| i.kind == ItemKind::Rating).zip(picks) {
        let set = ins.options_of(item).unwrap();
        let value = match set.range {
            Some(r) => r.min + (*pick as f64 % ((r.max - r.min) / r.step + 1.0)).floor() * r.step,
            None => set.options[pick % set.options.len()].value,
        };
        if *answered {
            answers.insert(item.id.clone(), Answer::Value((value * 10.0).round() / 10.0));
        }
    }
    answers
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn scores_stay_in_range_and_respect_the_missing_rule(picks in prop::collection::vec((prop::bool::weighted(0.85), 0usize..100), 12)) {
        let c = catalog();
        for ins in c.all() {
            let answers = answers_for(ins, &picks);
            let scores = score(ins, &answers).unwrap();
            for scale in &ins.scales {
                let s = scores.get(&scale.id).unwrap();
                let missing = scale.items.iter().filter(|id| !answers.contains_key(*id)).count();
                prop_assert_eq!(s.missing, missing);
                prop_assert_eq!(s.value.is_some(), missing <= scale.missing.max_missing, "{} {}", ins.id, scale.id);
                if let Some(v) = s.value {
                    let (low, high) = scale.bounds(ins).unwrap();
                    prop_assert!(v >= low - 1e-9 && v <= high + 1e-9, "{} {} {} not in {}-{}", ins.id, scale.id, v, low, high);
                    prop_assert_eq!(s.prorated, missing > 0);
                }
            }
        }
    }

    #[test]
    fn reverse_keying_mirrors_an_item_within_its_range(value in 0usize..5, other in 0usize..5) {
        // Reverse-key item `a` of a two-item sum: the score must equal (min + max - a) + b.
        let c = catalog();
        let mut ins = c.get("relationship-check").unwrap().clone();
        ins.items.iter_mut().find(|i| i.id == "goals-1").unwrap().reverse = true;
        let (a, b) = (value as f64 + 1.0, other as f64 + 1.0);
        let mut answers = Answers::new();
        answers.insert("goals-1".into(), Answer::Value(a));
        answers.insert("goals-2".into(), Answer::Value(b));
        let s = score(&ins, &answers).unwrap();
        prop_assert_eq!(s.value("goals"), Some((1.0 + 5.0 - a) + b));
    }

    #[test]
    fn prorating_equals_the_mean_of_answered_items_times_the_count(values in prop::collection::vec(1u8..=5, 5)) {
        let c = catalog();
        let ins = c.get("relationship-check").unwrap();
        let scale = ins.scale("alliance").unwrap();
        prop_assert_eq!(scale.method, Aggregation::Sum);
        let answers: Answers = scale.items.iter().zip(&values).map(|(id, v)| (id.clone(), Answer::Value(f64::from(*v)))).collect();
        let expected = values.iter().map(|v| f64::from(*v)).sum::<f64>() / 5.0 * 6.0;
        let got = score(ins, &answers).unwrap().value("alliance").unwrap();
        prop_assert!((got - expected).abs() < 1e-9);
    }
}
