//! Deterministic practice simulator (shared by the tests and `benches/etr.rs`).
//! SplitMix64 + Box–Muller, so no random-number crate is needed.

/// Small deterministic PRNG (SplitMix64).
pub struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed, spare: None }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Uniform integer in `lo..=hi`.
    pub fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % u64::from(hi - lo + 1)) as u32
    }

    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let r = (-2.0 * self.uniform().ln()).sqrt();
        let angle = 2.0 * std::f64::consts::PI * self.uniform();
        self.spare = Some(r * angle.sin());
        r * angle.cos()
    }
}

/// True parameters of a simulated practice.
#[derive(Debug, Clone, Copy)]
pub struct Truth {
    pub beta: [f64; 4],
    pub sd_intercept: f64,
    pub sd_slope: f64,
    pub corr: f64,
    pub sd_therapist: f64,
    pub sigma: f64,
    pub clients: usize,
    pub therapists: usize,
    pub min_sessions: u32,
    pub max_sessions: u32,
}

impl Truth {
    /// Values close to the fixture's lme4 estimates.
    pub fn etr(clients: usize, therapists: usize) -> Truth {
        Truth {
            beta: [15.0, -1.0, 1.0, -0.13],
            sd_intercept: 2.6,
            sd_slope: 1.65,
            corr: -0.2,
            sd_therapist: 0.0,
            sigma: 2.2,
            clients,
            therapists,
            min_sessions: 3,
            max_sessions: 16,
        }
    }
}

/// One simulated row.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub client: usize,
    pub therapist: usize,
    pub session: u32,
    pub intake: f64,
    pub score: f64,
}

/// Calls `emit` for every row, client by client, sessions in order.
pub fn simulate(truth: &Truth, seed: u64, mut emit: impl FnMut(Row)) {
    let mut rng = Rng::new(seed);
    let therapist_effects: Vec<f64> = (0..truth.therapists.max(1)).map(|_| truth.sd_therapist * rng.normal()).collect();
    let [b0, b1, b2, b3] = truth.beta;
    for client in 0..truth.clients {
        let therapist = client % truth.therapists.max(1);
        let intake = (15.0 + 4.0 * rng.normal()).round().clamp(0.0, 27.0);
        let ic = intake - 15.0;
        let z0 = rng.normal();
        let z1 = rng.normal();
        let u0 = truth.sd_intercept * z0;
        let u1 = truth.sd_slope * (truth.corr * z0 + (1.0 - truth.corr * truth.corr).sqrt() * z1);
        let sessions = rng.int(truth.min_sessions, truth.max_sessions);
        for session in 1..=sessions {
            let lt = f64::from(session).ln();
            let mean = b0 + b1 * lt + b2 * ic + b3 * ic * lt + u0 + u1 * lt + therapist_effects[therapist];
            let score = mean + truth.sigma * rng.normal();
            emit(Row { client, therapist, session, intake, score });
        }
    }
}

/// The simulated practice as CSV text (header `client,therapist,session,intake,score`).
#[allow(dead_code)]
pub fn simulate_csv(truth: &Truth, seed: u64) -> String {
    let mut out = String::from("client,therapist,session,intake,score\n");
    simulate(truth, seed, |r| {
        out.push_str(&format!("c{},t{},{},{},{:.4}\n", r.client, r.therapist, r.session, r.intake, r.score));
    });
    out
}
