//! The random-intercept engine (`fit_intercept`) on balanced one-way data, where REML has a closed form
//! (the ANOVA estimators, when MSB > MSW): σ² = MSW, σ²_group = (MSB - MSW) / n, the intercept is the grand mean
//! with SE √(MSB / (g n)); each group's prediction shrinks its mean's deviation by σ²_g / (σ²_g + σ²/n). And the
//! refusals: too few groups, single rows, collinear terms, non-finite values.

use alliance_lmm::{Criterion, InterceptBuilder, InterceptFitError, InterceptInputError, fit_intercept};

fn intercept_only(groups: &[&[f64]]) -> InterceptBuilder {
    let mut b = InterceptBuilder::new(vec!["(Intercept)".into()]).unwrap();
    for (g, values) in groups.iter().enumerate() {
        for v in *values {
            b.push(&format!("g{g}"), &[1.0], *v).unwrap();
        }
    }
    b
}

#[test]
fn balanced_one_way_data_give_the_anova_estimates() {
    let groups: [&[f64]; 4] = [&[1.0, 2.0, 3.0], &[4.0, 6.0, 5.0], &[2.0, 2.5, 3.5], &[7.0, 8.0, 6.0]];
    let (g, n) = (4.0, 3.0);
    let means: Vec<f64> = groups.iter().map(|v| v.iter().sum::<f64>() / n).collect();
    let grand = means.iter().sum::<f64>() / g;
    let msb = n * means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() / (g - 1.0);
    let msw = groups.iter().zip(&means).map(|(v, m)| v.iter().map(|x| (x - m).powi(2)).sum::<f64>()).sum::<f64>()
        / (g * (n - 1.0));
    assert!(msb > msw);
    let fit = fit_intercept(&intercept_only(&groups), Criterion::Reml).unwrap();
    let close = |what: &str, got: f64, want: f64| {
        assert!((got - want).abs() < 1e-7 * want.abs().max(1.0), "{what}: {got} vs {want}")
    };
    close("sigma²", fit.var_residual(), msw);
    close("group variance", fit.var_group(), (msb - msw) / n);
    close("intercept", fit.fixed[0], grand);
    close("its SE", fit.se[0], (msb / (g * n)).sqrt());
    let shrink = fit.var_group() / (fit.var_group() + fit.var_residual() / n);
    for (effect, mean) in fit.groups.iter().zip(&means) {
        close("prediction", effect.effect, shrink * (mean - grand));
        close("conditional SD", effect.cond_sd, (fit.var_group() * (1.0 - shrink)).sqrt());
    }
    let (low, high) = alliance_lmm::icc_profile_interval(&intercept_only(&groups), &fit, 0.95).unwrap();
    assert!(low < fit.icc() && fit.icc() < high && high <= 1.0, "{low} < {} < {high}", fit.icc());
}

#[test]
fn no_spread_between_groups_is_a_zero_variance() {
    // Identical group means: MSB = 0 < MSW, so REML puts the group variance on its boundary.
    let groups: [&[f64]; 3] = [&[1.0, 3.0], &[3.0, 1.0], &[2.0, 2.0]];
    let fit = fit_intercept(&intercept_only(&groups), Criterion::Reml).unwrap();
    assert!(fit.singular && fit.sd_group == 0.0 && fit.icc() == 0.0);
    assert!(fit.groups.iter().all(|g| g.effect == 0.0));
}

#[test]
fn unfittable_data_are_refused_with_the_reason() {
    let one: [&[f64]; 1] = [&[1.0, 2.0, 3.0]];
    assert_eq!(
        fit_intercept(&intercept_only(&one), Criterion::Reml).unwrap_err(),
        InterceptFitError::TooFewGroups { groups: 1 }
    );
    let singles: [&[f64]; 3] = [&[1.0], &[2.0], &[4.0]];
    assert_eq!(
        fit_intercept(&intercept_only(&singles), Criterion::Reml).unwrap_err(),
        InterceptFitError::NoRepeatedRows { groups: 3 }
    );
    let mut twice = InterceptBuilder::new(vec!["(Intercept)".into(), "x".into(), "2x".into()]).unwrap();
    for (g, x, y) in [("a", 1.0, 2.0), ("a", 2.0, 3.0), ("b", 3.0, 5.0), ("b", 4.0, 4.0), ("c", 5.0, 7.0)] {
        twice.push(g, &[1.0, x, 2.0 * x], y).unwrap();
    }
    assert_eq!(
        fit_intercept(&twice, Criterion::Reml).unwrap_err(),
        InterceptFitError::RankDeficient { term: "2x".into() }
    );
    let mut b = InterceptBuilder::new(vec!["(Intercept)".into(), "x".into()]).unwrap();
    assert!(matches!(b.push("a", &[1.0], 1.0), Err(InterceptInputError::Width { row: 1, found: 1, expected: 2 })));
    assert!(matches!(b.push("a", &[1.0, f64::NAN], 1.0), Err(InterceptInputError::NotFinite { row: 1, .. })));
    assert!(matches!(b.push("a", &[1.0, 2.0], f64::INFINITY), Err(InterceptInputError::ResponseNotFinite { row: 1 })));
    assert_eq!(b.rows(), 0, "refused rows are not counted");
    assert!(matches!(InterceptBuilder::new(Vec::new()), Err(InterceptInputError::NoTerms)));
}
