//! Multinomial logistic regression fitted exactly: the class-weighted cross-entropy plus an L2 penalty
//! `‖W‖² / 2C` (the bias unpenalised), minimised by L-BFGS (Nocedal & Wright, *Numerical Optimization*,
//! algorithm 7.4, with a backtracking Armijo search). This is the objective scikit-learn's
//! `LogisticRegression(C, class_weight="balanced")` minimises, so the two can be compared; unlike the stochastic
//! trainer in [`crate::logreg`], every weight is penalised at every step, which binary n-gram features need
//! (docs/SCIENCE.md, *Session transcripts*, gives the figures).

use std::collections::HashMap;

use crate::logreg::{Features, LogReg};

/// Corrections kept by L-BFGS, iterations at most, and the gradient size (relative to the start) that ends it.
const MEMORY: usize = 10;
const MAX_ITERATIONS: usize = 400;
const TOLERANCE: f64 = 1e-5;

/// Fits `classes` classes with inverse penalty `c` (larger: weaker penalty). Examples whose class is at or
/// past `classes`, and features at or past `dim`, are skipped, as [`LogReg::train`] does.
pub fn fit(examples: &[(Features, usize)], classes: usize, dim: usize, c: f64) -> LogReg {
    let mut model = LogReg { classes, dim, weights: vec![0.0; dim * classes], bias: vec![0.0; classes] };
    let usable: Vec<&(Features, usize)> = examples.iter().filter(|(_, y)| *y < classes).collect();
    if usable.is_empty() || classes < 2 || c <= 0.0 {
        return model;
    }
    // Only the features some example has get a column: the hashed space is mostly empty.
    let mut column: HashMap<u32, usize> = HashMap::new();
    let rows: Vec<(Vec<(usize, f64)>, usize)> = usable
        .iter()
        .map(|(x, y)| {
            let row = x
                .iter()
                .filter(|(f, _)| (*f as usize) < dim)
                .map(|&(f, v)| {
                    let next = column.len();
                    (*column.entry(f).or_insert(next), f64::from(v))
                })
                .collect();
            (row, *y)
        })
        .collect();
    let mut counts = vec![0usize; classes];
    for (_, y) in &rows {
        counts[*y] += 1;
    }
    let present = counts.iter().filter(|n| **n > 0).count() as f64;
    let weight: Vec<f64> =
        counts.iter().map(|&n| if n == 0 { 0.0 } else { rows.len() as f64 / (present * n as f64) }).collect();
    let problem = Problem { rows: &rows, weight: &weight, classes, features: column.len(), penalty: 1.0 / c };
    let theta = minimise(&problem, vec![0.0; (problem.features + 1) * classes]);
    for (f, k) in &column {
        for class in 0..classes {
            model.weights[*f as usize * classes + class] = theta[k * classes + class] as f32;
        }
    }
    let bias_at = problem.features * classes;
    for class in 0..classes {
        model.bias[class] = theta[bias_at + class] as f32;
    }
    model
}

struct Problem<'a> {
    rows: &'a [(Vec<(usize, f64)>, usize)],
    weight: &'a [f64],
    classes: usize,
    features: usize,
    penalty: f64,
}

impl Problem<'_> {
    /// The objective and its gradient at `theta` (weights feature by feature, then the biases).
    fn evaluate(&self, theta: &[f64], gradient: &mut [f64]) -> f64 {
        let k = self.classes;
        let bias_at = self.features * k;
        let mut loss = 0.0;
        for (g, t) in gradient[..bias_at].iter_mut().zip(&theta[..bias_at]) {
            *g = self.penalty * t;
            loss += 0.5 * self.penalty * t * t;
        }
        gradient[bias_at..].fill(0.0);
        let mut scores = vec![0f64; k];
        for (row, y) in self.rows {
            scores.copy_from_slice(&theta[bias_at..]);
            for &(f, v) in row {
                for (s, w) in scores.iter_mut().zip(&theta[f * k..(f + 1) * k]) {
                    *s += w * v;
                }
            }
            let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = scores.iter().map(|s| (s - max).exp()).sum();
            let log_sum = max + sum.ln();
            let weight = self.weight[*y];
            loss += weight * (log_sum - scores[*y]);
            for class in 0..k {
                let residual = weight * ((scores[class] - log_sum).exp() - f64::from(u8::from(class == *y)));
                gradient[bias_at + class] += residual;
                for &(f, v) in row {
                    gradient[f * k + class] += residual * v;
                }
            }
        }
        loss
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn minimise(problem: &Problem<'_>, mut theta: Vec<f64>) -> Vec<f64> {
    let n = theta.len();
    let mut gradient = vec![0.0; n];
    let mut value = problem.evaluate(&theta, &mut gradient);
    let start_norm = dot(&gradient, &gradient).sqrt().max(1e-12);
    let mut history: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::with_capacity(MEMORY);
    let (mut trial, mut trial_gradient) = (vec![0.0; n], vec![0.0; n]);
    for iteration in 0..MAX_ITERATIONS {
        if dot(&gradient, &gradient).sqrt() <= TOLERANCE * start_norm {
            break;
        }
        let direction = two_loop(&gradient, &history);
        let slope = dot(&direction, &gradient);
        if slope >= 0.0 {
            // Not a descent direction (rounding): start the memory afresh.
            history.clear();
            continue;
        }
        let mut step = if iteration == 0 { 1.0 / start_norm } else { 1.0 };
        let mut accepted = false;
        for _ in 0..40 {
            for i in 0..n {
                trial[i] = theta[i] + step * direction[i];
            }
            let trial_value = problem.evaluate(&trial, &mut trial_gradient);
            if trial_value <= value + 1e-4 * step * slope {
                let s: Vec<f64> = trial.iter().zip(&theta).map(|(a, b)| a - b).collect();
                let y: Vec<f64> = trial_gradient.iter().zip(&gradient).map(|(a, b)| a - b).collect();
                let sy = dot(&s, &y);
                if sy > 1e-12 {
                    if history.len() == MEMORY {
                        history.remove(0);
                    }
                    history.push((s, y, 1.0 / sy));
                }
                let decrease = value - trial_value;
                std::mem::swap(&mut theta, &mut trial);
                std::mem::swap(&mut gradient, &mut trial_gradient);
                value = trial_value;
                accepted = decrease > 1e-12 * value.abs().max(1.0);
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    theta
}

/// The L-BFGS search direction: minus the inverse-Hessian estimate applied to the gradient.
fn two_loop(gradient: &[f64], history: &[(Vec<f64>, Vec<f64>, f64)]) -> Vec<f64> {
    let mut q: Vec<f64> = gradient.to_vec();
    let mut alphas = Vec::with_capacity(history.len());
    for (s, y, rho) in history.iter().rev() {
        let alpha = rho * dot(s, &q);
        for (qi, yi) in q.iter_mut().zip(y) {
            *qi -= alpha * yi;
        }
        alphas.push(alpha);
    }
    if let Some((s, y, _)) = history.last() {
        let scale = dot(s, y) / dot(y, y).max(1e-300);
        for qi in &mut q {
            *qi *= scale;
        }
    }
    for ((s, y, rho), alpha) in history.iter().zip(alphas.iter().rev()) {
        let beta = rho * dot(y, &q);
        for (qi, si) in q.iter_mut().zip(s) {
            *qi += (alpha - beta) * si;
        }
    }
    for qi in &mut q {
        *qi = -*qi;
    }
    q
}

/// NB-weighted one-vs-rest logistic regression (Wang & Manning, 2012: "NBSVM", here with the logistic loss):
/// for each class, every feature is scaled by its log-count ratio (how much more often examples of that class
/// have it than the others, add-one smoothed), and an exactly fitted binary model tells the class from the
/// rest. The ratios are folded into the weights, so the result is an ordinary [`LogReg`] whose scores are the
/// binary models' decision values and a model file holds it like any other.
pub fn fit_nb_one_vs_rest(examples: &[(Features, usize)], classes: usize, dim: usize, c: f64) -> LogReg {
    let mut model = LogReg { classes, dim, weights: vec![0.0; dim * classes], bias: vec![0.0; classes] };
    let usable: Vec<&(Features, usize)> = examples.iter().filter(|(_, y)| *y < classes).collect();
    if usable.is_empty() || classes < 2 {
        return model;
    }
    // How many examples of each class have each feature, and all features' presences per class.
    let mut present: HashMap<u32, Vec<f64>> = HashMap::new();
    let mut total = vec![0f64; classes];
    for (x, y) in &usable {
        for &(f, v) in x {
            if (f as usize) < dim && v != 0.0 {
                present.entry(f).or_insert_with(|| vec![0.0; classes])[*y] += 1.0;
                total[*y] += 1.0;
            }
        }
    }
    let all: f64 = total.iter().sum();
    let smoothing = dim as f64;
    for class in 0..classes {
        let (in_class, rest) = (total[class] + smoothing, all - total[class] + smoothing);
        let ratio: HashMap<u32, f64> = present
            .iter()
            .map(|(f, n)| {
                let p = n[class] + 1.0;
                let q = n.iter().sum::<f64>() - n[class] + 1.0;
                (*f, ((p / in_class) / (q / rest)).ln())
            })
            .collect();
        let binary: Vec<(Features, usize)> = usable
            .iter()
            .map(|(x, y)| {
                let scaled = x.iter().filter_map(|&(f, v)| ratio.get(&f).map(|r| (f, v * *r as f32)));
                (scaled.collect(), usize::from(*y == class))
            })
            .collect();
        let fitted = fit(&binary, 2, dim, c);
        model.bias[class] = fitted.bias[1] - fitted.bias[0];
        for (f, r) in &ratio {
            let f = *f as usize;
            model.weights[f * classes + class] = (fitted.weights[f * 2 + 1] - fitted.weights[f * 2]) * *r as f32;
        }
    }
    model
}
