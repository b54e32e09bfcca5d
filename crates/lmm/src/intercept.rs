//! A linear mixed model with any fixed part and one random intercept: `y ~ x1 + ... + xp + (1 | group)`.
//!
//! The research report's two models have this shape (docs/SCIENCE.md#practice-research): the lagged,
//! person-mean-centred alliance model (`(1 | client)`) and the therapist-effects model (`(1 | therapist)`).
//! With one scalar random effect per group, `Λ'Z'ZΛ + I` is diagonal, so lme4's profiled criterion reduces
//! to per-group sums: for `θ = σ_group / σ` and group weight `w_g = θ² / (1 + θ² n_g)`,
//!
//! ```text
//! M = X'X - Σ w_g a_g a_g'        (a_g = X_g'1)      c = X'y - Σ w_g a_g s_g   (s_g = 1'y_g)
//! β = M⁻¹ c      r² = y'y - Σ w_g s_g² - c'β        log|L|² = Σ ln(1 + θ² n_g)
//! REML: log|L|² + ln|M| + (n-p)(1 + ln(2π r² / (n-p)))      ML: log|L|² + n(1 + ln(2π r² / n))
//! ```
//!
//! One evaluation is O(groups · p²), whatever the number of rows, and the criterion is minimised over the
//! single parameter θ. The rows are reduced to these sums as they are pushed, so memory is O(groups · p).

use std::collections::HashMap;

use serde::Serialize;

use crate::fit::Criterion;
use crate::normal::normal_quantile;

/// Invalid rows pushed into an [`InterceptBuilder`]; `row` is 1-based.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InterceptInputError {
    #[error("row {row}: {found} predictor values, expected {expected}")]
    Width { row: usize, found: usize, expected: usize },
    #[error("row {row}: the value of `{term}` is not finite")]
    NotFinite { row: usize, term: String },
    #[error("row {row}: the response is not finite")]
    ResponseNotFinite { row: usize },
    #[error("the model needs at least one fixed-effect term")]
    NoTerms,
}

/// The model cannot be fitted to these rows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InterceptFitError {
    #[error("need at least 2 groups to estimate a between-group variance, got {groups}")]
    TooFewGroups { groups: usize },
    #[error("{rows} rows are too few for {terms} fixed-effect terms")]
    TooFewRows { rows: usize, terms: usize },
    #[error("fixed-effect term `{term}` is collinear with the terms before it")]
    RankDeficient { term: String },
    #[error("the residual variance is zero: the data are fitted exactly")]
    ZeroResidualVariance,
    #[error(
        "every group has a single row ({groups} groups): the variance between groups cannot be told from the residual"
    )]
    NoRepeatedRows { groups: usize },
}

/// Rows reduced to the sums the criterion needs.
#[derive(Debug, Clone)]
pub struct InterceptBuilder {
    terms: Vec<String>,
    index: HashMap<String, usize>,
    /// Per group, in order of first appearance: its name, `n_g`, `s_g = 1'y_g` and (p per group) `a_g = X_g'1`,
    /// in flat arrays so that an evaluation streams through memory.
    ids: Vec<String>,
    n: Vec<f64>,
    y_sum: Vec<f64>,
    x_sum: Vec<f64>,
    xtx: Vec<f64>,
    xty: Vec<f64>,
    yty: f64,
    rows: usize,
}

impl InterceptBuilder {
    /// `terms` name the columns of `x` in every pushed row (include `(Intercept)` with a column of ones).
    pub fn new(terms: Vec<String>) -> Result<Self, InterceptInputError> {
        if terms.is_empty() {
            return Err(InterceptInputError::NoTerms);
        }
        let p = terms.len();
        Ok(Self {
            terms,
            index: HashMap::new(),
            ids: Vec::new(),
            n: Vec::new(),
            y_sum: Vec::new(),
            x_sum: Vec::new(),
            xtx: vec![0.0; p * p],
            xty: vec![0.0; p],
            yty: 0.0,
            rows: 0,
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn push(&mut self, group: &str, x: &[f64], y: f64) -> Result<(), InterceptInputError> {
        let row = self.rows + 1;
        let p = self.terms.len();
        if x.len() != p {
            return Err(InterceptInputError::Width { row, found: x.len(), expected: p });
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(InterceptInputError::NotFinite { row, term: self.terms[i].clone() });
        }
        if !y.is_finite() {
            return Err(InterceptInputError::ResponseNotFinite { row });
        }
        let g = match self.index.get(group) {
            Some(&g) => g,
            None => {
                let g = self.ids.len();
                self.ids.push(group.to_owned());
                self.n.push(0.0);
                self.y_sum.push(0.0);
                self.x_sum.extend(std::iter::repeat_n(0.0, p));
                self.index.insert(group.to_owned(), g);
                g
            }
        };
        self.n[g] += 1.0;
        self.y_sum[g] += y;
        let sums = &mut self.x_sum[g * p..(g + 1) * p];
        for i in 0..p {
            sums[i] += x[i];
            self.xty[i] += x[i] * y;
            for j in 0..=i {
                self.xtx[i * p + j] += x[i] * x[j];
            }
        }
        self.yty += y * y;
        self.rows += 1;
        Ok(())
    }
}

/// One group's predicted random intercept (lme4's `ranef`) and its conditional SD (`condVar = TRUE`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupEffect {
    pub group: String,
    pub effect: f64,
    pub cond_sd: f64,
    pub rows: usize,
}

/// A fitted random-intercept model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterceptFit {
    pub terms: Vec<String>,
    pub fixed: Vec<f64>,
    pub se: Vec<f64>,
    /// Standard deviation of the random intercepts.
    pub sd_group: f64,
    /// Residual standard deviation.
    pub sigma: f64,
    /// The REML criterion (REML fits) or the deviance (ML fits) at the optimum.
    pub criterion: f64,
    pub reml: bool,
    /// `σ_group / σ` at the optimum.
    pub theta: f64,
    pub n_obs: usize,
    pub n_groups: usize,
    /// The variance between groups is estimated as zero.
    pub singular: bool,
    pub groups: Vec<GroupEffect>,
}

impl InterceptFit {
    pub fn var_group(&self) -> f64 {
        self.sd_group * self.sd_group
    }

    pub fn var_residual(&self) -> f64 {
        self.sigma * self.sigma
    }

    /// The share of variance between groups, `σ²_group / (σ²_group + σ²)`.
    pub fn icc(&self) -> f64 {
        icc_of_theta(self.theta)
    }

    /// The value of a fixed effect by term name.
    pub fn fixed_effect(&self, term: &str) -> Option<(f64, f64)> {
        self.terms.iter().position(|t| t == term).map(|i| (self.fixed[i], self.se[i]))
    }
}

fn icc_of_theta(theta: f64) -> f64 {
    let t2 = theta * theta;
    t2 / (1.0 + t2)
}

/// The reduced sums of one fit, evaluated at any θ.
struct Profile<'a> {
    data: &'a InterceptBuilder,
    criterion: Criterion,
}

struct AtTheta {
    value: f64,
    beta: Vec<f64>,
    /// Cholesky factor of `M` (lower, row-major).
    chol: Vec<f64>,
    r2: f64,
}

impl Profile<'_> {
    fn p(&self) -> usize {
        self.data.terms.len()
    }

    fn evaluate(&self, theta: f64) -> Result<AtTheta, InterceptFitError> {
        let p = self.p();
        let t2 = theta * theta;
        let mut m = self.data.xtx.clone();
        let mut c = self.data.xty.clone();
        let mut q = self.data.yty;
        let mut log_det_l = 0.0;
        let data = self.data;
        for ((&n, &y_sum), a) in data.n.iter().zip(&data.y_sum).zip(data.x_sum.chunks_exact(p)) {
            let w = t2 / (1.0 + t2 * n);
            log_det_l += (t2 * n).ln_1p();
            q -= w * y_sum * y_sum;
            for i in 0..p {
                let wa = w * a[i];
                c[i] -= wa * y_sum;
                for j in 0..=i {
                    m[i * p + j] -= wa * a[j];
                }
            }
        }
        let chol =
            cholesky(&m, p).map_err(|i| InterceptFitError::RankDeficient { term: self.data.terms[i].clone() })?;
        let beta = solve(&chol, &c, p);
        let r2 = q - c.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
        if r2.is_nan() || r2 <= 0.0 {
            return Err(InterceptFitError::ZeroResidualVariance);
        }
        let n = self.data.rows as f64;
        let log_det_m: f64 = (0..p).map(|i| 2.0 * chol[i * p + i].ln()).sum();
        let two_pi = 2.0 * std::f64::consts::PI;
        let value = match self.criterion {
            Criterion::Reml => {
                let dof = n - p as f64;
                log_det_l + log_det_m + dof * (1.0 + (two_pi * r2 / dof).ln())
            }
            Criterion::Ml => log_det_l + n * (1.0 + (two_pi * r2 / n).ln()),
        };
        Ok(AtTheta { value, beta, chol, r2 })
    }

    fn value(&self, theta: f64) -> f64 {
        self.evaluate(theta).map_or(f64::INFINITY, |a| a.value)
    }
}

/// Fits `y ~ x + (1 | group)` by REML or ML, matching lme4's estimates (see the module's formulas).
pub fn fit_intercept(data: &InterceptBuilder, criterion: Criterion) -> Result<InterceptFit, InterceptFitError> {
    let p = data.terms.len();
    if data.ids.len() < 2 {
        return Err(InterceptFitError::TooFewGroups { groups: data.ids.len() });
    }
    if data.rows <= p {
        return Err(InterceptFitError::TooFewRows { rows: data.rows, terms: p });
    }
    // lme4 refuses these too ("number of levels of each grouping factor must be < number of observations").
    if data.rows == data.ids.len() {
        return Err(InterceptFitError::NoRepeatedRows { groups: data.ids.len() });
    }
    let profile = Profile { data, criterion };
    // Fails early with the real reason (collinearity, an exact fit) rather than an infinite criterion.
    profile.evaluate(0.0)?;
    let theta = minimise_theta(&profile);
    let at = profile.evaluate(theta)?;
    let n = data.rows as f64;
    let sigma2 = match criterion {
        Criterion::Reml => at.r2 / (n - p as f64),
        Criterion::Ml => at.r2 / n,
    };
    let inverse = inverse_from_cholesky(&at.chol, p);
    let se = (0..p).map(|i| (sigma2 * inverse[i * p + i]).sqrt()).collect();
    let t2 = theta * theta;
    let groups = data
        .ids
        .iter()
        .zip(&data.n)
        .zip(&data.y_sum)
        .zip(data.x_sum.chunks_exact(p))
        .map(|(((id, &n), &y_sum), a)| {
            let w = t2 / (1.0 + t2 * n);
            let fitted: f64 = a.iter().zip(&at.beta).map(|(a, b)| a * b).sum();
            GroupEffect {
                group: id.clone(),
                effect: w * (y_sum - fitted),
                cond_sd: (sigma2 * w).sqrt(),
                rows: n as usize,
            }
        })
        .collect();
    Ok(InterceptFit {
        terms: data.terms.clone(),
        fixed: at.beta,
        se,
        sd_group: theta * sigma2.sqrt(),
        sigma: sigma2.sqrt(),
        criterion: at.value,
        reml: criterion == Criterion::Reml,
        theta,
        n_obs: data.rows,
        n_groups: data.ids.len(),
        singular: theta == 0.0,
        groups,
    })
}

/// A profile-likelihood interval for the ICC: the θ values where the criterion rises by the χ²(1) quantile
/// above its minimum (lme4's `confint(method = "profile")` for the group SD), mapped through
/// `θ² / (1 + θ²)`, which the ICC is a function of alone.
pub fn icc_profile_interval(
    data: &InterceptBuilder,
    fit: &InterceptFit,
    level: f64,
) -> Result<(f64, f64), InterceptFitError> {
    let profile = Profile { data, criterion: if fit.reml { Criterion::Reml } else { Criterion::Ml } };
    let z = normal_quantile(0.5 + level / 2.0);
    let target = fit.criterion + z * z;
    let above = |theta: f64| profile.value(theta) - target;
    let lower = if above(0.0) <= 0.0 { 0.0 } else { bisect(&above, 0.0, fit.theta) };
    let mut high = fit.theta.max(0.1) * 2.0;
    let mut doublings = 0;
    while above(high) <= 0.0 && doublings < 60 {
        high *= 2.0;
        doublings += 1;
    }
    let upper = bisect(&above, fit.theta, high);
    Ok((icc_of_theta(lower), icc_of_theta(upper)))
}

/// A root of `f` between `a` and `b`, where the sign changes.
fn bisect(f: &impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let fa_negative = f(a) < 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (a + b);
        if (f(mid) < 0.0) == fa_negative {
            a = mid;
        } else {
            b = mid;
        }
        if (b - a).abs() <= 1e-12 * b.abs().max(1e-12) {
            break;
        }
    }
    0.5 * (a + b)
}

/// Minimises the profiled criterion over θ ≥ 0: a log-spaced scan (θ from 1e-4 to 1e2) finds the basin,
/// golden-section search narrows it, and Newton steps on finite differences polish it to the precision lme4's tight optimiser
/// settings reach.
fn minimise_theta(profile: &Profile<'_>) -> f64 {
    let mut grid: Vec<f64> = vec![0.0];
    grid.extend((0..=20).map(|k| 10f64.powf(-4.0 + 0.3 * f64::from(k))));
    let values: Vec<f64> = grid.iter().map(|&t| profile.value(t)).collect();
    let best = values.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
    let mut a = grid[best.saturating_sub(1)];
    let mut b = grid[(best + 1).min(grid.len() - 1)];
    // Golden-section search, one new evaluation per step, to 1e-7 relative; Newton does the rest.
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - ratio * (b - a);
    let mut d = a + ratio * (b - a);
    let (mut fc, mut fd) = (profile.value(c), profile.value(d));
    for _ in 0..200 {
        if b - a <= 1e-7 * b.max(1e-8) {
            break;
        }
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - ratio * (b - a);
            fc = profile.value(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + ratio * (b - a);
            fd = profile.value(d);
        }
    }
    let mut theta = 0.5 * (a + b);
    for _ in 0..20 {
        let h = 1e-5 * theta.max(1e-6);
        if theta <= h {
            break;
        }
        let (fm, f0, fp) = (profile.value(theta - h), profile.value(theta), profile.value(theta + h));
        let second = (fp - 2.0 * f0 + fm) / (h * h);
        if second <= 0.0 || !second.is_finite() {
            break;
        }
        let step = (fp - fm) / (2.0 * h) / second;
        let next = (theta - step).max(0.0);
        if profile.value(next) > f0 {
            break;
        }
        let moved = (next - theta).abs();
        theta = next;
        if moved <= 1e-13 * theta.max(1e-13) {
            break;
        }
    }
    if profile.value(0.0) <= profile.value(theta) { 0.0 } else { theta }
}

/// Lower Cholesky factor of a symmetric positive-definite matrix given by its lower triangle; on failure,
/// the index of the first column that is (numerically) a combination of the ones before it.
fn cholesky(m: &[f64], p: usize) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        let mut d = m[j * p + j];
        for k in 0..j {
            d -= l[j * p + k] * l[j * p + k];
        }
        if d.is_nan() || d <= 1e-10 * m[j * p + j].abs().max(f64::MIN_POSITIVE) {
            return Err(j);
        }
        let d = d.sqrt();
        l[j * p + j] = d;
        for i in j + 1..p {
            let mut s = m[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            l[i * p + j] = s / d;
        }
    }
    Ok(l)
}

fn solve(l: &[f64], b: &[f64], p: usize) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..p {
        for k in 0..i {
            y[i] -= l[i * p + k] * y[k];
        }
        y[i] /= l[i * p + i];
    }
    for i in (0..p).rev() {
        for k in i + 1..p {
            y[i] -= l[k * p + i] * y[k];
        }
        y[i] /= l[i * p + i];
    }
    y
}

fn inverse_from_cholesky(l: &[f64], p: usize) -> Vec<f64> {
    let mut inverse = vec![0.0; p * p];
    for j in 0..p {
        let mut e = vec![0.0; p];
        e[j] = 1.0;
        let column = solve(l, &e, p);
        for i in 0..p {
            inverse[i * p + j] = column[i];
        }
    }
    inverse
}
