//! Multinomial logistic regression on sparse hashed features, trained by AdaGrad stochastic gradient descent
//! with class weights that balance the classes (macro-F1 counts a rare class as much as a common one).
//! Deterministic: the order of examples comes from a seeded generator, so one data set gives one model.

/// A sparse example: (feature index, value) pairs.
pub type Features = Vec<(u32, f32)>;

#[derive(Clone, Debug, PartialEq)]
pub struct LogReg {
    pub classes: usize,
    pub dim: usize,
    /// `weights[feature * classes + class]`: one feature's weights side by side.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
}

#[derive(Clone, Copy, Debug)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f32,
    /// L2 penalty, applied to the weights an example touches.
    pub l2: f32,
    pub seed: u64,
    /// The inverse L2 penalty of the empathy tasks' exact fit ([`crate::batch`]): scikit-learn's default, 1,
    /// scored best of 0.3, 1 and 3 on EPITOME (docs/SCIENCE.md).
    pub empathy_c: f64,
}

/// Chosen by five-fold cross-validation on AnnoMI and EPITOME (fewer, smaller steps overfit less than 12 epochs
/// at 0.3; docs/SCIENCE.md gives the figures).
impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 8, learning_rate: 0.05, l2: 1e-4, seed: 17, empathy_c: 1.0 }
    }
}

impl LogReg {
    /// Fits `classes` classes on `examples` (features and class index; indexes at or past `classes` are
    /// skipped, as are features at or past `dim`).
    pub fn train(examples: &[(Features, usize)], classes: usize, dim: usize, options: TrainOptions) -> LogReg {
        let mut model = LogReg { classes, dim, weights: vec![0.0; dim * classes], bias: vec![0.0; classes] };
        let usable: Vec<&(Features, usize)> = examples.iter().filter(|(_, y)| *y < classes).collect();
        if usable.is_empty() || classes == 0 {
            return model;
        }
        let mut counts = vec![0usize; classes];
        for (_, y) in &usable {
            counts[*y] += 1;
        }
        let present = counts.iter().filter(|c| **c > 0).count() as f32;
        let class_weight: Vec<f32> =
            counts.iter().map(|&c| if c == 0 { 0.0 } else { usable.len() as f32 / (present * c as f32) }).collect();
        let mut squared = vec![1e-6f32; dim * classes];
        let mut bias_squared = vec![1e-6f32; classes];
        let mut order: Vec<usize> = (0..usable.len()).collect();
        let mut rng = options.seed | 1;
        let mut probs = vec![0f32; classes];
        for _ in 0..options.epochs {
            shuffle(&mut order, &mut rng);
            for &k in &order {
                let (x, y) = usable[k];
                model.probabilities(x, &mut probs);
                let weight = class_weight[*y];
                for c in 0..classes {
                    let target = if c == *y { 1.0 } else { 0.0 };
                    let g = (probs[c] - target) * weight;
                    if g == 0.0 {
                        continue;
                    }
                    bias_squared[c] += g * g;
                    model.bias[c] -= options.learning_rate * g / bias_squared[c].sqrt();
                    for &(f, v) in x {
                        let f = f as usize;
                        if f >= dim {
                            continue;
                        }
                        let at = f * classes + c;
                        let grad = g * v + options.l2 * model.weights[at];
                        squared[at] += grad * grad;
                        model.weights[at] -= options.learning_rate * grad / squared[at].sqrt();
                    }
                }
            }
        }
        model
    }

    /// Class scores (logits) into `out`.
    pub fn scores(&self, x: &[(u32, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for &(f, v) in x {
            let f = f as usize;
            if f >= self.dim {
                continue;
            }
            let row = &self.weights[f * self.classes..(f + 1) * self.classes];
            for (o, w) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }

    /// Class probabilities (softmax of the scores) into `out`.
    pub fn probabilities(&self, x: &[(u32, f32)], out: &mut [f32]) {
        self.scores(x, out);
        let max = out.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for o in out.iter_mut() {
            *o = (*o - max).exp();
            sum += *o;
        }
        for o in out.iter_mut() {
            *o /= sum;
        }
    }

    /// The most probable class.
    pub fn predict(&self, x: &[(u32, f32)]) -> usize {
        let mut buffer = [0f32; 8];
        if self.classes > buffer.len() {
            let mut scores = vec![0f32; self.classes];
            self.scores(x, &mut scores);
            return argmax(&scores);
        }
        let scores = &mut buffer[..self.classes];
        self.scores(x, scores);
        argmax(scores)
    }
}

fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] {
            best = i;
        }
    }
    best
}

/// Fisher-Yates with xorshift64: small, fixed and reproducible everywhere.
fn shuffle(order: &mut [usize], state: &mut u64) {
    for i in (1..order.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let j = (*state % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}
