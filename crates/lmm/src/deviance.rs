//! The profiled (RE)ML deviance of lme4 (Bates, Maechler, Bolker & Walker 2015, section 3),
//! evaluated block by block.
//!
//! With `b = Lambda(theta) u`, `u ~ N(0, sigma^2 I)`, lme4 factors
//! `[[Lambda'Z'Z Lambda + I, Lambda'Z'X], [X'Z Lambda, X'X]]` and profiles out `beta` and
//! `sigma`. Here `Lambda'Z'Z Lambda + I` is block diagonal with one 2x2 block per client
//! (random intercept and slope), or block-arrowhead when a therapist intercept is added
//! (each therapist's clients plus one therapist row). Eliminating the client blocks first
//! and then each therapist's 1x1 Schur complement gives the exact determinant and
//! solution, in O(clients) work and O(1) extra memory per evaluation.

use crate::data::{ClientStats, Practice};
use crate::linalg::{self, Mat4, P, Vec4};

/// Which model is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Form {
    pub slope: bool,
    pub therapist: bool,
    pub reml: bool,
}

impl Form {
    /// Covariance parameters are in lme4's order: the client term's lower-triangular
    /// factor by columns, then the therapist's scale. Diagonal elements of Lambda are
    /// bounded below by 0, as in lme4.
    pub fn lower_bounds(self) -> Vec<f64> {
        let mut lower = if self.slope { vec![0.0, f64::NEG_INFINITY, 0.0] } else { vec![0.0] };
        if self.therapist {
            lower.push(0.0);
        }
        lower
    }
    /// lme4's starting value: identity Lambda.
    pub fn start(self) -> Vec<f64> {
        let mut start = if self.slope { vec![1.0, 0.0, 1.0] } else { vec![1.0] };
        if self.therapist {
            start.push(1.0);
        }
        start
    }
    pub fn lambda(self, theta: &[f64]) -> Lambda {
        let at = |i: usize| theta.get(i).copied().unwrap_or(0.0);
        let (a, b, c, next) = if self.slope { (at(0), at(1), at(2), 3) } else { (at(0), 0.0, 0.0, 1) };
        let tau = if self.therapist { at(next) } else { 0.0 };
        Lambda { a, b, c, tau }
    }
}

/// Relative covariance factors: client `[[a, 0], [b, c]]`, therapist `tau`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Lambda {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub tau: f64,
}

/// Constants of one therapist: total sessions, column sums of X, sum of scores.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TherapistTotals {
    pub n: f64,
    pub x_sum: Vec4,
    pub y_sum: f64,
}

/// Everything a deviance evaluation needs, computed once from the data.
#[derive(Debug, Clone)]
pub(crate) struct Design {
    /// Client statistics ordered by therapist.
    pub clients: Vec<ClientStats>,
    /// `clients[ranges[j].0..ranges[j].1]` belong to therapist `j`.
    pub ranges: Vec<(usize, usize)>,
    pub therapists: Vec<TherapistTotals>,
    pub xtx: Mat4,
    pub xty: Vec4,
    pub yty: f64,
    pub n_obs: f64,
    pub threads: usize,
}

impl Design {
    pub fn new(practice: &Practice, threads: usize) -> Design {
        let stats = &practice.stats;
        let therapist_of: Vec<u32> = practice.clients.iter().map(|c| c.therapist).collect();
        let n_therapists = practice.therapists.len();
        let mut order: Vec<usize> = (0..stats.len()).collect();
        order.sort_by_key(|&i| therapist_of[i]);
        let clients: Vec<ClientStats> = order.iter().map(|&i| stats[i]).collect();
        let mut ranges = vec![(0, 0); n_therapists];
        let mut therapists = vec![TherapistTotals::default(); n_therapists];
        let mut start = 0;
        while start < order.len() {
            let t = therapist_of[order[start]];
            let mut end = start;
            while end < order.len() && therapist_of[order[end]] == t {
                end += 1;
            }
            ranges[t as usize] = (start, end);
            start = end;
        }
        let mut xtx = [[0.0; P]; P];
        let mut xty = [0.0; P];
        for (j, &(lo, hi)) in ranges.iter().enumerate() {
            for s in &clients[lo..hi] {
                let x_sum = [s.n, s.s1, s.intake_c * s.n, s.intake_c * s.s1];
                let totals = &mut therapists[j];
                totals.n += s.n;
                totals.y_sum += s.sy;
                for k in 0..P {
                    totals.x_sum[k] += x_sum[k];
                }
                add_kron(&mut xtx, [s.n, s.s1, s.s2], s.intake_c, 1.0);
                let zty = [s.sy, s.sly];
                xty[0] += zty[0];
                xty[1] += zty[1];
                xty[2] += s.intake_c * zty[0];
                xty[3] += s.intake_c * zty[1];
            }
        }
        let n_obs = clients.iter().map(|s| s.n).sum();
        Design { clients, ranges, therapists, xtx, xty, yty: practice.yty, n_obs, threads }
    }
}

/// Adds `sign * [1, ic]'[1, ic] (x) [[k0, k1], [k1, k2]]` to `m` (the Kronecker structure of
/// a client's X'X, since `x = (z, intake_c z)`).
fn add_kron(m: &mut Mat4, k: [f64; 3], ic: f64, sign: f64) {
    let block = [[k[0], k[1]], [k[1], k[2]]];
    let w = [1.0, ic];
    for (bi, wi) in w.iter().enumerate() {
        for (bj, wj) in w.iter().enumerate() {
            for r in 0..2 {
                for c in 0..2 {
                    m[2 * bi + r][2 * bj + c] += sign * wi * wj * block[r][c];
                }
            }
        }
    }
}

/// Sums over clients (and therapists) that the Schur complements need.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sums {
    log_det: f64,
    /// Sum of G'G, intake_c G'G, intake_c^2 G'G (packed 00, 01, 11), where
    /// `G = L^{-1} Lambda' Z'Z` and so `L^{-1} Lambda' Z'X = [G | intake_c G]`.
    gg: [[f64; 3]; 3],
    /// Sum of G'c and intake_c G'c, where `c = L^{-1} Lambda' Z'y`.
    gc: [[f64; 2]; 2],
    cc: f64,
    /// Therapist rows: sums of g g'/d, g h/d, h^2/d.
    xx: Mat4,
    xy: Vec4,
    yy: f64,
}

impl Sums {
    fn merge(mut self, other: &Sums) -> Sums {
        self.log_det += other.log_det;
        for (a, b) in self.gg.iter_mut().flatten().zip(other.gg.iter().flatten()) {
            *a += b;
        }
        for (a, b) in self.gc.iter_mut().flatten().zip(other.gc.iter().flatten()) {
            *a += b;
        }
        self.cc += other.cc;
        for (a, b) in self.xx.iter_mut().flatten().zip(other.xx.iter().flatten()) {
            *a += b;
        }
        for (a, b) in self.xy.iter_mut().zip(other.xy.iter()) {
            *a += b;
        }
        self.yy += other.yy;
        self
    }
}

/// One client's reduced block: Cholesky factor of `Lambda'Z'Z Lambda + I` and the
/// solved cross terms.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientBlock {
    /// L = [[l00, 0], [l10, l11]].
    pub l: [f64; 3],
    /// G = L^{-1} Lambda' Z'Z, row-major.
    pub g: [f64; 4],
    /// c = L^{-1} Lambda' Z'y.
    pub c: [f64; 2],
    /// First column of Lambda' Z'Z (cross term with the therapist row, before tau).
    pub t_col: [f64; 2],
}

#[inline]
pub(crate) fn client_block(s: &ClientStats, lam: &Lambda) -> ClientBlock {
    let Lambda { a, b, c, .. } = *lam;
    // T = Lambda' W with W = Z'Z.
    let t00 = a * s.n + b * s.s1;
    let t01 = a * s.s1 + b * s.s2;
    let t10 = c * s.s1;
    let t11 = c * s.s2;
    // A = T Lambda + I, whose Cholesky pivots are >= 1 (A >= I).
    let a00 = t00 * a + t01 * b + 1.0;
    let a01 = t01 * c;
    let a11 = t11 * c + 1.0;
    let l00 = a00.sqrt();
    let l10 = a01 / l00;
    let l11 = (a11 - l10 * l10).sqrt();
    let g00 = t00 / l00;
    let g01 = t01 / l00;
    let g10 = (t10 - l10 * g00) / l11;
    let g11 = (t11 - l10 * g01) / l11;
    let r0 = a * s.sy + b * s.sly;
    let r1 = c * s.sly;
    let c0 = r0 / l00;
    let c1 = (r1 - l10 * c0) / l11;
    ClientBlock { l: [l00, l10, l11], g: [g00, g01, g10, g11], c: [c0, c1], t_col: [t00, t10] }
}

#[inline]
fn add_client(sums: &mut Sums, s: &ClientStats, k: &ClientBlock) {
    let [g00, g01, g10, g11] = k.g;
    let [c0, c1] = k.c;
    sums.log_det += 2.0 * (k.l[0] * k.l[2]).ln();
    let gg = [g00 * g00 + g10 * g10, g00 * g01 + g10 * g11, g01 * g01 + g11 * g11];
    let ic = s.intake_c;
    for i in 0..3 {
        sums.gg[0][i] += gg[i];
        sums.gg[1][i] += ic * gg[i];
        sums.gg[2][i] += ic * ic * gg[i];
    }
    let gc = [g00 * c0 + g10 * c1, g01 * c0 + g11 * c1];
    for i in 0..2 {
        sums.gc[0][i] += gc[i];
        sums.gc[1][i] += ic * gc[i];
    }
    sums.cc += c0 * c0 + c1 * c1;
}

/// The therapist row after eliminating its clients: `d` (pivot^2), `g` (X part), `h` (y part).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TherapistRow {
    pub d: f64,
    pub g: Vec4,
    pub h: f64,
}

fn therapists_sums(design: &Design, lam: &Lambda, range: (usize, usize)) -> Sums {
    let mut sums = Sums::default();
    for j in range.0..range.1 {
        let row = therapist_row(design, lam, j, &mut sums);
        if lam.tau != 0.0 {
            sums.log_det += row.d.ln();
            for r in 0..P {
                for c in 0..P {
                    sums.xx[r][c] += row.g[r] * row.g[c] / row.d;
                }
                sums.xy[r] += row.g[r] * row.h / row.d;
            }
            sums.yy += row.h * row.h / row.d;
        }
    }
    sums
}

/// Eliminates therapist `j`'s clients (adding them to `sums`) and returns its row.
pub(crate) fn therapist_row(design: &Design, lam: &Lambda, j: usize, sums: &mut Sums) -> TherapistRow {
    let (lo, hi) = design.ranges.get(j).copied().unwrap_or((0, 0));
    let tau = lam.tau;
    let mut vv = 0.0;
    let mut vg = [0.0; P];
    let mut vc = 0.0;
    for s in &design.clients[lo..hi] {
        let k = client_block(s, lam);
        add_client(sums, s, &k);
        if tau != 0.0 {
            // v = L^{-1} Lambda' Z' 1 tau: the client's coupling to its therapist.
            let v0 = tau * k.t_col[0] / k.l[0];
            let v1 = (tau * k.t_col[1] - k.l[1] * v0) / k.l[2];
            vv += v0 * v0 + v1 * v1;
            let vg0 = v0 * k.g[0] + v1 * k.g[2];
            let vg1 = v0 * k.g[1] + v1 * k.g[3];
            vg[0] += vg0;
            vg[1] += vg1;
            vg[2] += s.intake_c * vg0;
            vg[3] += s.intake_c * vg1;
            vc += v0 * k.c[0] + v1 * k.c[1];
        }
    }
    let totals = design.therapists.get(j).copied().unwrap_or_default();
    TherapistRow {
        d: tau * tau * totals.n + 1.0 - vv,
        g: std::array::from_fn(|i| tau * totals.x_sum[i] - vg[i]),
        h: tau * totals.y_sum - vc,
    }
}

/// Splits therapists into `parts` contiguous groups with similar numbers of clients.
fn balanced_ranges(design: &Design, parts: usize) -> Vec<(usize, usize)> {
    let total = design.clients.len().max(1);
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for (j, &(_, hi)) in design.ranges.iter().enumerate() {
        let target = total * (out.len() + 1) / parts;
        if hi >= target && out.len() + 1 < parts {
            out.push((start, j + 1));
            start = j + 1;
        }
    }
    out.push((start, design.ranges.len()));
    out
}

/// Below this many clients a second thread costs more than it saves.
const PARALLEL_MIN_CLIENTS: usize = 20_000;

fn all_sums(design: &Design, lam: &Lambda) -> Sums {
    let threads = design.threads.max(1);
    if threads == 1 || design.clients.len() < PARALLEL_MIN_CLIENTS {
        return therapists_sums(design, lam, (0, design.ranges.len()));
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = if lam.tau == 0.0 {
            // No therapist rows: any split of the clients will do.
            let chunk = design.clients.len().div_ceil(threads);
            design.clients.chunks(chunk).map(|clients| scope.spawn(move || clients_sums(clients, lam))).collect()
        } else {
            balanced_ranges(design, threads)
                .into_iter()
                .map(|range| scope.spawn(move || therapists_sums(design, lam, range)))
                .collect()
        };
        // The kernels cannot panic; a failed worker would surface as a NaN deviance.
        handles.into_iter().fold(Sums::default(), |acc, h| match h.join() {
            Ok(part) => acc.merge(&part),
            Err(_) => Sums { log_det: f64::NAN, ..acc },
        })
    })
}

fn clients_sums(clients: &[ClientStats], lam: &Lambda) -> Sums {
    let mut sums = Sums::default();
    for s in clients {
        add_client(&mut sums, s, &client_block(s, lam));
    }
    sums
}

/// The profiled fit at one theta.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub deviance: f64,
    /// Fixed effects on the shifted score scale.
    pub beta: Vec4,
    /// Cholesky factor of R_X'R_X (so Var(beta) = sigma^2 (R_X'R_X)^{-1}).
    pub rx: Mat4,
    pub sigma2: f64,
}

/// Evaluates the profiled deviance; `None` if it is not finite (never happens for valid
/// data, but keeps the optimiser safe).
pub(crate) fn profile(design: &Design, form: Form, theta: &[f64]) -> Option<Profile> {
    let lam = form.lambda(theta);
    let sums = all_sums(design, &lam);
    let mut s = design.xtx;
    // S = X'X - sum C'C - therapist terms, with C'C = [1, ic]'[1, ic] (x) G'G.
    for (bi, bj, k) in [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 2)] {
        let g = sums.gg[k];
        let block = [[g[0], g[1]], [g[1], g[2]]];
        for r in 0..2 {
            for c in 0..2 {
                s[2 * bi + r][2 * bj + c] -= block[r][c];
            }
        }
    }
    let mut xty = design.xty;
    for (bi, gc) in sums.gc.iter().enumerate() {
        xty[2 * bi] -= gc[0];
        xty[2 * bi + 1] -= gc[1];
    }
    for r in 0..P {
        for c in 0..P {
            s[r][c] -= sums.xx[r][c];
        }
        xty[r] -= sums.xy[r];
    }
    let yty = design.yty - sums.cc - sums.yy;
    let rx = linalg::cholesky(&s, 1e-14).ok()?;
    let beta = linalg::solve(&rx, &xty);
    let pwrss = yty - linalg::dot(&xty, &beta);
    if pwrss.is_nan() || pwrss <= 0.0 || !sums.log_det.is_finite() {
        return None;
    }
    let n = design.n_obs;
    let two_pi = 2.0 * std::f64::consts::PI;
    let (deviance, sigma2) = if form.reml {
        let dof = n - P as f64;
        let d = sums.log_det + linalg::log_det(&rx) + dof * (1.0 + (two_pi * pwrss / dof).ln());
        (d, pwrss / dof)
    } else {
        let d = sums.log_det + n * (1.0 + (two_pi * pwrss / n).ln());
        (d, pwrss / n)
    };
    deviance.is_finite().then_some(Profile { deviance, beta, rx, sigma2 })
}

/// The objective for the optimiser: the deviance, or +inf where it is undefined.
pub(crate) fn deviance(design: &Design, form: Form, theta: &[f64]) -> f64 {
    profile(design, form, theta).map_or(f64::INFINITY, |p| p.deviance)
}
