//! Bound-constrained minimisation of a smooth function of a few variables.
//!
//! A Nelder–Mead simplex (projected onto the bounds, restarted until it stops improving)
//! finds the basin; a projected Newton iteration with finite-difference derivatives then
//! converges quadratically to the optimum, which is what lets us match lme4's tightly
//! converged BOBYQA fits (xtol_abs 1e-12) to many digits. The objective must be defined a
//! little outside the bounds (true for the profiled deviance, which is smooth in theta).

/// Options for [`minimize`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub max_evaluations: usize,
    /// Simplex stops when its function values agree to this relative tolerance.
    pub simplex_ftol: f64,
    /// Newton stops when no coordinate moves more than this (absolute).
    pub xtol: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub x: Vec<f64>,
    pub f: f64,
    pub evaluations: usize,
    pub converged: bool,
}

struct Counted<F> {
    f: F,
    count: usize,
}

impl<F: FnMut(&[f64]) -> f64> Counted<F> {
    fn eval(&mut self, x: &[f64]) -> f64 {
        self.count += 1;
        let v = (self.f)(x);
        if v.is_nan() { f64::INFINITY } else { v }
    }
}

fn project(x: &mut [f64], lower: &[f64]) {
    for (xi, lo) in x.iter_mut().zip(lower) {
        if *xi < *lo {
            *xi = *lo;
        }
    }
}

pub(crate) fn minimize<F: FnMut(&[f64]) -> f64>(f: F, x0: &[f64], lower: &[f64], options: &Options) -> Outcome {
    let mut f = Counted { f, count: 0 };
    let mut x = x0.to_vec();
    project(&mut x, lower);
    let mut fx = f.eval(&x);
    let mut step = 0.25;
    // Restart the simplex from its best point until a restart no longer helps.
    for _ in 0..6 {
        let (xn, fnew) = nelder_mead(&mut f, &x, fx, lower, step, options);
        let improved = fnew < fx - options.simplex_ftol * fx.abs().max(1.0);
        x = xn;
        fx = fnew;
        if !improved || f.count >= options.max_evaluations {
            break;
        }
        step = 0.05;
    }
    let (x, fx, converged) = newton(&mut f, x, fx, lower, options);
    Outcome { x, f: fx, evaluations: f.count, converged }
}

fn nelder_mead<F: FnMut(&[f64]) -> f64>(
    f: &mut Counted<F>,
    x0: &[f64],
    f0: f64,
    lower: &[f64],
    step: f64,
    options: &Options,
) -> (Vec<f64>, f64) {
    let n = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = vec![(x0.to_vec(), f0)];
    for i in 0..n {
        let mut x = x0.to_vec();
        x[i] += step * x[i].abs().max(1.0);
        project(&mut x, lower);
        let fx = f.eval(&x);
        simplex.push((x, fx));
    }
    let point = |centroid: &[f64], towards: &[f64], t: f64| -> Vec<f64> {
        let mut p: Vec<f64> = centroid.iter().zip(towards).map(|(c, w)| c + t * (w - c)).collect();
        project(&mut p, lower);
        p
    };
    while f.count < options.max_evaluations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let best = simplex[0].1;
        let worst = simplex[n].1;
        if worst - best <= options.simplex_ftol * best.abs().max(1.0) {
            break;
        }
        let mut centroid = vec![0.0; n];
        for (x, _) in &simplex[..n] {
            for (c, xi) in centroid.iter_mut().zip(x) {
                *c += xi / n as f64;
            }
        }
        let xr = point(&centroid, &simplex[n].0, -1.0);
        let fr = f.eval(&xr);
        if fr < best {
            let xe = point(&centroid, &simplex[n].0, -2.0);
            let fe = f.eval(&xe);
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else {
            // Contract outside (towards the reflection) or inside (towards the worst).
            let (xc, fc) = if fr < worst {
                let xc = point(&centroid, &xr, 0.5);
                let fc = f.eval(&xc);
                (xc, fc)
            } else {
                let xc = point(&centroid, &simplex[n].0, 0.5);
                let fc = f.eval(&xc);
                (xc, fc)
            };
            if fc < fr.min(worst) {
                simplex[n] = (xc, fc);
            } else {
                let x_best = simplex[0].0.clone();
                for vertex in simplex.iter_mut().skip(1) {
                    let xs = point(&x_best, &vertex.0, 0.5);
                    let fs = f.eval(&xs);
                    *vertex = (xs, fs);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, fx) = simplex.swap_remove(0);
    (x, fx)
}

/// Projected Newton with finite-difference gradient and Hessian. Returns the point, its
/// value and whether the iteration converged.
fn newton<F: FnMut(&[f64]) -> f64>(
    f: &mut Counted<F>,
    mut x: Vec<f64>,
    mut fx: f64,
    lower: &[f64],
    options: &Options,
) -> (Vec<f64>, f64, bool) {
    let n = x.len();
    for _ in 0..50 {
        if f.count >= options.max_evaluations {
            return (x, fx, false);
        }
        let (g, h) = derivatives(f, &x, fx);
        // Variables held at a bound that the gradient pushes against stay fixed.
        let free: Vec<usize> = (0..n).filter(|&i| !(x[i] <= lower[i] && g[i] > 0.0)).collect();
        if free.is_empty() {
            return (x, fx, true);
        }
        let Some(d_free) = damped_newton_step(&h, &g, &free) else {
            return (x, fx, false);
        };
        let mut d = vec![0.0; n];
        for (k, &i) in free.iter().enumerate() {
            d[i] = d_free[k];
        }
        let predicted = -0.5 * d.iter().zip(&g).map(|(a, b)| a * b).sum::<f64>();
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let mut trial: Vec<f64> = x.iter().zip(&d).map(|(xi, di)| xi + t * di).collect();
            project(&mut trial, lower);
            let ft = f.eval(&trial);
            if ft <= fx {
                accepted = Some((trial, ft));
                break;
            }
            t *= 0.5;
        }
        let Some((trial, ft)) = accepted else {
            // No decrease along the Newton direction: we are at the rounding-noise floor.
            return (x, fx, predicted.abs() <= 1e-9 * fx.abs().max(1.0));
        };
        let moved = trial.iter().zip(&x).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        x = trial;
        fx = ft;
        if moved <= options.xtol {
            return (x, fx, true);
        }
    }
    (x, fx, false)
}

fn fd_step(xi: f64) -> f64 {
    1e-3 * xi.abs().max(1.0)
}

/// Gradient and Hessian diagonal by five-point central differences (error O(h^4), so the
/// Newton fixed point is accurate); cross terms by forward differences (they only affect
/// the convergence rate, not the point converged to).
fn derivatives<F: FnMut(&[f64]) -> f64>(f: &mut Counted<F>, x: &[f64], fx: f64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = x.len();
    let h: Vec<f64> = x.iter().map(|&xi| fd_step(xi)).collect();
    let mut g = vec![0.0; n];
    let mut hess = vec![vec![0.0; n]; n];
    let mut f_plus = vec![0.0; n];
    let shifted = |i: usize, hi: f64, j: usize, hj: f64| -> Vec<f64> {
        let mut y = x.to_vec();
        y[i] += hi;
        y[j] += hj;
        y
    };
    for i in 0..n {
        let [f2m, f1m, f1p, f2p] = [-2.0, -1.0, 1.0, 2.0].map(|k| f.eval(&shifted(i, k * h[i], i, 0.0)));
        g[i] = (f2m - 8.0 * f1m + 8.0 * f1p - f2p) / (12.0 * h[i]);
        hess[i][i] = (-f2p + 16.0 * f1p - 30.0 * fx + 16.0 * f1m - f2m) / (12.0 * h[i] * h[i]);
        f_plus[i] = f1p;
    }
    for i in 0..n {
        for j in (i + 1)..n {
            let fij = f.eval(&shifted(i, h[i], j, h[j]));
            let v = (fij - f_plus[i] - f_plus[j] + fx) / (h[i] * h[j]);
            hess[i][j] = v;
            hess[j][i] = v;
        }
    }
    (g, hess)
}

/// Solves `(H_FF + mu I) d = -g_F`, raising `mu` until the matrix is positive definite.
fn damped_newton_step(h: &[Vec<f64>], g: &[f64], free: &[usize]) -> Option<Vec<f64>> {
    let m = free.len();
    let scale = free.iter().map(|&i| h[i][i].abs()).fold(0.0, f64::max).max(1e-12);
    let mut mu = 0.0;
    for _ in 0..60 {
        let a: Vec<Vec<f64>> =
            free.iter().map(|&i| free.iter().map(|&j| h[i][j] + if i == j { mu } else { 0.0 }).collect()).collect();
        if let Some(l) = cholesky_dyn(&a) {
            let b: Vec<f64> = free.iter().map(|&i| -g[i]).collect();
            return Some(solve_dyn(&l, &b, m));
        }
        mu = if mu == 0.0 { 1e-8 * scale } else { mu * 10.0 };
    }
    None
}

fn cholesky_dyn(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let m = a.len();
    let mut l = vec![vec![0.0; m]; m];
    for j in 0..m {
        let d = a[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
        if !d.is_finite() || d <= 0.0 {
            return None;
        }
        l[j][j] = d.sqrt();
        for i in (j + 1)..m {
            let s = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            l[i][j] = s / l[j][j];
        }
    }
    Some(l)
}

fn solve_dyn(l: &[Vec<f64>], b: &[f64], m: usize) -> Vec<f64> {
    let mut y = vec![0.0; m];
    for i in 0..m {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; m];
    for i in (0..m).rev() {
        x[i] = (y[i] - ((i + 1)..m).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const OPTIONS: Options = Options { max_evaluations: 10_000, simplex_ftol: 1e-8, xtol: 1e-10 };

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let rosen = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let out = minimize(rosen, &[-1.2, 1.0], &[f64::NEG_INFINITY; 2], &OPTIONS);
        assert!(out.converged);
        assert!((out.x[0] - 1.0).abs() < 1e-8, "{:?}", out.x);
        assert!((out.x[1] - 1.0).abs() < 1e-8, "{:?}", out.x);
    }

    #[test]
    fn stops_at_an_active_bound() {
        // Unconstrained minimum at (-1, 2); with x0 >= 0 it is (0, 2).
        let bowl = |x: &[f64]| (x[0] + 1.0).powi(2) + (x[1] - 2.0).powi(2) + 0.5 * x[0] * x[1];
        let out = minimize(bowl, &[1.0, 1.0], &[0.0, f64::NEG_INFINITY], &OPTIONS);
        assert!(out.converged);
        assert_eq!(out.x[0], 0.0);
        assert!((out.x[1] - 2.0).abs() < 1e-8, "{:?}", out.x);
    }
}
