//! Internal consistency of a multi-item measure (docs/SCIENCE.md#reliability): raw Cronbach's alpha with
//! Feldt's interval, and omega total from a one-factor maximum-likelihood factor analysis of the item
//! correlations, as R's `factanal` computes it.

// Index loops mirror the matrix formulas.
#![allow(clippy::needless_range_loop)]

use serde::Serialize;

use super::special::f_quantile;

/// Fewer complete administrations than this and the measure is not reported.
pub const MIN_ADMINISTRATIONS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    pub items: Vec<String>,
    /// Complete administrations used.
    pub n: usize,
    pub alpha: f64,
    /// Feldt's 95 % interval.
    pub alpha_ci: [f64; 2],
    pub omega_total: f64,
    pub loadings: Vec<f64>,
    pub uniquenesses: Vec<f64>,
    /// The factor analysis reached its fixed point.
    pub converged: bool,
    pub note: &'static str,
}

/// How the two coefficients are computed, as the fixture's oracle says it.
pub const NOTE: &str =
    "alpha: raw (covariances); omega: one-factor ML factor analysis of the item correlations (factanal)";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReliabilityError {
    #[error("a reliability needs at least 2 items, got {0}")]
    TooFewItems(usize),
    #[error("{found} complete administrations, at least {MIN_ADMINISTRATIONS} are needed")]
    TooFewAdministrations { found: usize },
    #[error("row {row} has {found} answers, expected {expected}")]
    Width { row: usize, found: usize, expected: usize },
    #[error("item `{0}` has no variance")]
    ConstantItem(String),
    #[error("the total score has no variance")]
    ConstantTotal,
}

/// Alpha and omega of the complete rows (one row per administration, one column per item).
pub fn reliability(items: &[String], rows: &[Vec<f64>]) -> Result<Reliability, ReliabilityError> {
    let k = items.len();
    if k < 2 {
        return Err(ReliabilityError::TooFewItems(k));
    }
    if let Some((row, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != k) {
        return Err(ReliabilityError::Width { row: row + 1, found: r.len(), expected: k });
    }
    let n = rows.len();
    if n < MIN_ADMINISTRATIONS {
        return Err(ReliabilityError::TooFewAdministrations { found: n });
    }
    let covariance = covariance(rows, k);
    if let Some(i) = (0..k).find(|&i| covariance[i][i] <= 0.0) {
        return Err(ReliabilityError::ConstantItem(items[i].clone()));
    }
    let total: f64 = covariance.iter().flatten().sum();
    if total <= 0.0 {
        return Err(ReliabilityError::ConstantTotal);
    }
    let item_variances: f64 = (0..k).map(|i| covariance[i][i]).sum();
    let kf = k as f64;
    let alpha = kf / (kf - 1.0) * (1.0 - item_variances / total);
    let (d1, d2) = ((n - 1) as f64, ((n - 1) * (k - 1)) as f64);
    let alpha_ci = [1.0 - (1.0 - alpha) * f_quantile(0.975, d1, d2), 1.0 - (1.0 - alpha) * f_quantile(0.025, d1, d2)];
    let correlation: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| covariance[i][j] / (covariance[i][i] * covariance[j][j]).sqrt()).collect())
        .collect();
    let (loadings, uniquenesses, converged) = one_factor_ml(&correlation);
    let sum: f64 = loadings.iter().sum();
    let omega_total = sum * sum / (sum * sum + uniquenesses.iter().sum::<f64>());
    Ok(Reliability {
        items: items.to_vec(),
        n,
        alpha,
        alpha_ci,
        omega_total,
        loadings,
        uniquenesses,
        converged,
        note: NOTE,
    })
}

fn covariance(rows: &[Vec<f64>], k: usize) -> Vec<Vec<f64>> {
    let n = rows.len() as f64;
    let means: Vec<f64> = (0..k).map(|i| rows.iter().map(|r| r[i]).sum::<f64>() / n).collect();
    let mut c = vec![vec![0.0; k]; k];
    for r in rows {
        for i in 0..k {
            for j in 0..=i {
                c[i][j] += (r[i] - means[i]) * (r[j] - means[j]);
            }
        }
    }
    for i in 0..k {
        for j in 0..=i {
            c[i][j] /= n - 1.0;
            c[j][i] = c[i][j];
        }
    }
    c
}

/// `factanal`'s lower bound on a uniqueness.
const MIN_UNIQUENESS: f64 = 0.005;

/// One-factor ML solution of a correlation matrix: the fixed point of Jöreskog's equations
/// `Λ = Ψ^½ v √(λ - 1)` (λ, v the leading eigenpair of `Ψ^-½ R Ψ^-½`) and `Ψ = diag(R - ΛΛ')`, started where
/// `factanal` starts, `Ψ = (1 - 0.5/p) / diag(R⁻¹)`. Returns the loadings (sign chosen so they sum positive),
/// the uniquenesses and whether the iteration converged.
fn one_factor_ml(r: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>, bool) {
    let p = r.len();
    let start = inverse_diagonal(r);
    let mut psi: Vec<f64> = start.iter().map(|d| ((1.0 - 0.5 / p as f64) / d).clamp(MIN_UNIQUENESS, 1.0)).collect();
    let mut loadings = vec![0.0; p];
    let mut converged = false;
    for _ in 0..20_000 {
        let scaled: Vec<Vec<f64>> =
            (0..p).map(|i| (0..p).map(|j| r[i][j] / (psi[i] * psi[j]).sqrt()).collect()).collect();
        let (value, vector) = leading_eigenpair(&scaled);
        let root = (value - 1.0).max(0.0).sqrt();
        for i in 0..p {
            loadings[i] = psi[i].sqrt() * vector[i] * root;
        }
        let next: Vec<f64> = (0..p).map(|i| (r[i][i] - loadings[i] * loadings[i]).clamp(MIN_UNIQUENESS, 1.0)).collect();
        let moved = next.iter().zip(&psi).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        psi = next;
        if moved < 1e-13 {
            converged = true;
            break;
        }
    }
    if loadings.iter().sum::<f64>() < 0.0 {
        loadings.iter_mut().for_each(|l| *l = -*l);
    }
    (loadings, psi, converged)
}

/// The diagonal of `R⁻¹` by Gauss-Jordan elimination (R is a small correlation matrix).
fn inverse_diagonal(r: &[Vec<f64>]) -> Vec<f64> {
    let p = r.len();
    let mut a: Vec<Vec<f64>> = r
        .iter()
        .enumerate()
        .map(|(i, row)| row.iter().copied().chain((0..p).map(|j| f64::from(u8::from(i == j)))).collect())
        .collect();
    for col in 0..p {
        let pivot = (col..p).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs())).unwrap_or(col);
        a.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-12 {
            // A singular correlation matrix: fall back to the unit diagonal (uniquenesses start at 1 - 0.5/p).
            return vec![1.0; p];
        }
        for v in a[col].iter_mut() {
            *v /= d;
        }
        for row in 0..p {
            if row != col {
                let f = a[row][col];
                let pivot_row = a[col].clone();
                for (v, pv) in a[row].iter_mut().zip(pivot_row) {
                    *v -= f * pv;
                }
            }
        }
    }
    (0..p).map(|i| a[i][p + i]).collect()
}

/// The largest eigenvalue of a symmetric matrix and its unit eigenvector (cyclic Jacobi rotations).
fn leading_eigenpair(m: &[Vec<f64>]) -> (f64, Vec<f64>) {
    let p = m.len();
    let mut a = m.to_vec();
    let mut v: Vec<Vec<f64>> = (0..p).map(|i| (0..p).map(|j| f64::from(u8::from(i == j))).collect()).collect();
    for _ in 0..100 {
        let off: f64 = (0..p)
            .flat_map(|i| (0..p).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for i in 0..p {
            for j in i + 1..p {
                if a[i][j].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[j][j] - a[i][i]) / (2.0 * a[i][j]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..p {
                    let (aki, akj) = (a[k][i], a[k][j]);
                    a[k][i] = c * aki - s * akj;
                    a[k][j] = s * aki + c * akj;
                }
                for k in 0..p {
                    let (aik, ajk) = (a[i][k], a[j][k]);
                    a[i][k] = c * aik - s * ajk;
                    a[j][k] = s * aik + c * ajk;
                }
                for k in 0..p {
                    let (vki, vkj) = (v[k][i], v[k][j]);
                    v[k][i] = c * vki - s * vkj;
                    v[k][j] = s * vki + c * vkj;
                }
            }
        }
    }
    let best = (0..p).max_by(|&x, &y| a[x][x].total_cmp(&a[y][y])).unwrap_or(0);
    (a[best][best], (0..p).map(|k| v[k][best]).collect())
}
