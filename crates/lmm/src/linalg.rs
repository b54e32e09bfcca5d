//! Tiny dense linear algebra for the 4x4 fixed-effects system (no external crate needed).

/// Number of fixed effects: intercept, log_session, intake_c, log_session:intake_c.
pub const P: usize = 4;

pub type Mat4 = [[f64; P]; P];
pub type Vec4 = [f64; P];

/// Lower Cholesky factor of a symmetric positive definite matrix, or the index of the
/// first pivot that is not positive relative to `tol` times its original diagonal.
pub fn cholesky(m: &Mat4, tol: f64) -> Result<Mat4, usize> {
    let mut l = [[0.0; P]; P];
    for j in 0..P {
        let mut d = m[j][j];
        for k in 0..j {
            d -= l[j][k] * l[j][k];
        }
        if !d.is_finite() || d <= tol * m[j][j].abs() {
            return Err(j);
        }
        let djj = d.sqrt();
        l[j][j] = djj;
        for i in (j + 1)..P {
            let mut s = m[i][j];
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            l[i][j] = s / djj;
        }
    }
    Ok(l)
}

/// log det(L L') = 2 sum log diag(L).
pub fn log_det(l: &Mat4) -> f64 {
    (0..P).map(|i| 2.0 * l[i][i].ln()).sum()
}

/// Solves L L' x = b.
pub fn solve(l: &Mat4, b: &Vec4) -> Vec4 {
    let mut y = [0.0; P];
    for i in 0..P {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i][k] * y[k];
        }
        y[i] = s / l[i][i];
    }
    let mut x = [0.0; P];
    for i in (0..P).rev() {
        let mut s = y[i];
        for k in (i + 1)..P {
            s -= l[k][i] * x[k];
        }
        x[i] = s / l[i][i];
    }
    x
}

/// (L L')^{-1}.
pub fn inverse(l: &Mat4) -> Mat4 {
    let mut inv = [[0.0; P]; P];
    for j in 0..P {
        let mut e = [0.0; P];
        e[j] = 1.0;
        let col = solve(l, &e);
        for i in 0..P {
            inv[i][j] = col[i];
        }
    }
    inv
}

pub fn dot(a: &Vec4, b: &Vec4) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// x' M x.
pub fn quad_form(m: &Mat4, x: &Vec4) -> f64 {
    let mut s = 0.0;
    for i in 0..P {
        for j in 0..P {
            s += x[i] * m[i][j] * x[j];
        }
    }
    s
}

/// Lower factor `L` with `L L' = S` of a symmetric positive semi-definite 2x2 matrix
/// `[[s00, s01], [s01, s11]]`; zero pivots are allowed (degenerate covariances).
pub fn cholesky2_semidefinite(s00: f64, s01: f64, s11: f64) -> [f64; 3] {
    if s00 > 0.0 {
        let l00 = s00.sqrt();
        let l10 = s01 / l00;
        let l11 = (s11 - l10 * l10).max(0.0).sqrt();
        [l00, l10, l11]
    } else {
        [0.0, 0.0, s11.max(0.0).sqrt()]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn solves_a_known_system() {
        // Hilbert-like SPD matrix with the known solution x = (1, 2, 3, 4).
        let m = [[4.0, 1.0, 0.5, 0.2], [1.0, 3.0, 0.4, 0.1], [0.5, 0.4, 2.0, 0.3], [0.2, 0.1, 0.3, 1.0]];
        let x = [1.0, 2.0, 3.0, 4.0];
        let b: Vec4 = std::array::from_fn(|i| dot(&m[i], &x));
        let l = cholesky(&m, 1e-12).unwrap();
        let got = solve(&l, &b);
        for i in 0..P {
            assert!((got[i] - x[i]).abs() < 1e-12);
        }
        let inv = inverse(&l);
        for i in 0..P {
            let row: Vec4 = std::array::from_fn(|j| dot(&m[i], &std::array::from_fn(|k| inv[k][j])));
            for (j, v) in row.iter().enumerate() {
                assert!((v - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn reports_the_singular_pivot() {
        let m = [[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]];
        assert_eq!(cholesky(&m, 1e-10), Err(1));
    }
}
