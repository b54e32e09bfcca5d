//! The exact logistic regression against scikit-learn, the NB weighting by hand, and AnnoMI's annotator
//! agreement on codings written here.

use alliance_transcripts::batch::{fit, fit_nb_one_vs_rest};
use alliance_transcripts::data::read_annomi;
use alliance_transcripts::eval::annotator_agreement;
use alliance_transcripts::logreg::Features;
use alliance_transcripts::trained::Task;

/// Twelve examples of five features and three classes of unequal size.
fn examples() -> Vec<(Features, usize)> {
    let rows: [([f32; 5], usize); 12] = [
        ([1.0, 0.0, 1.0, 0.0, 0.0], 0),
        ([1.0, 1.0, 0.0, 0.0, 0.0], 0),
        ([1.0, 0.0, 0.0, 0.0, 1.0], 0),
        ([0.0, 1.0, 1.0, 0.0, 0.0], 0),
        ([1.0, 0.0, 0.0, 1.0, 0.0], 0),
        ([1.0, 1.0, 1.0, 0.0, 0.0], 0),
        ([0.0, 0.0, 1.0, 1.0, 0.0], 1),
        ([0.0, 1.0, 0.0, 1.0, 0.0], 1),
        ([0.0, 0.0, 0.0, 1.0, 1.0], 1),
        ([0.0, 0.0, 0.0, 0.0, 1.0], 2),
        ([0.0, 1.0, 0.0, 0.0, 1.0], 2),
        ([0.5, 0.0, 0.0, 0.0, 1.0], 2),
    ];
    rows.iter()
        .map(|(x, y)| {
            let sparse = x.iter().enumerate().filter(|(_, v)| **v != 0.0).map(|(f, v)| (f as u32, *v)).collect();
            (sparse, *y)
        })
        .collect()
}

/// scikit-learn 1.9.1, `LogisticRegression(C=C, class_weight="balanced", tol=1e-12)` on [`examples`]:
/// `coef_` (class by feature) and `intercept_`.
const SKLEARN_C1: ([[f32; 5]; 3], [f32; 3]) = (
    [
        [0.992195, 0.133315, 0.315791, -0.376258, -0.557025],
        [-0.63052, -0.091988, 0.087568, 1.138663, -0.211134],
        [-0.361675, -0.041326, -0.403359, -0.762404, 0.768159],
    ],
    [0.00009, -0.129704, 0.129614],
);
const SKLEARN_C03: ([[f32; 5]; 3], [f32; 3]) = (
    [
        [0.450938, 0.080081, 0.170415, -0.19002, -0.272955],
        [-0.293523, -0.046676, 0.04231, 0.534978, -0.125198],
        [-0.157416, -0.033404, -0.212724, -0.344958, 0.398154],
    ],
    [-0.010901, -0.041443, 0.052344],
);

#[test]
fn the_exact_fit_finds_scikit_learns_coefficients() {
    for (c, (coef, intercept)) in [(1.0, SKLEARN_C1), (0.3, SKLEARN_C03)] {
        let model = fit(&examples(), 3, 8, c);
        for class in 0..3 {
            for (feature, theirs) in coef[class].iter().copied().enumerate() {
                let ours = model.weights[feature * 3 + class];
                assert!((ours - theirs).abs() < 2e-4, "C={c}, class {class}, feature {feature}: {ours} vs {theirs}");
            }
            let (ours, theirs) = (model.bias[class], intercept[class]);
            assert!((ours - theirs).abs() < 2e-4, "C={c}, intercept {class}: {ours} vs {theirs}");
        }
        // Features past the data stay untouched.
        assert!(model.weights[5 * 3..].iter().all(|w| *w == 0.0));
    }
}

#[test]
fn the_exact_fit_refuses_nothing_and_invents_nothing() {
    let empty = fit(&[], 3, 8, 1.0);
    assert!(empty.weights.iter().chain(&empty.bias).all(|w| *w == 0.0));
    // A class index past the classes is skipped, as the stochastic trainer skips it.
    let mut with_stray = examples();
    with_stray.push((vec![(0, 1.0)], 7));
    assert_eq!(fit(&with_stray, 3, 8, 1.0), fit(&examples(), 3, 8, 1.0));
}

#[test]
fn nb_weighting_sends_each_class_to_its_own_words() {
    // Feature 0 only in class 0, feature 3 mostly in class 1, feature 4 mostly in class 2.
    let model = fit_nb_one_vs_rest(&examples(), 3, 8, 1.0);
    let predict = |x: &[(u32, f32)]| model.predict(x);
    assert_eq!(predict(&[(0, 1.0), (1, 1.0)]), 0);
    assert_eq!(predict(&[(2, 1.0), (3, 1.0)]), 1);
    assert_eq!(predict(&[(4, 1.0)]), 2);
    // A feature no example has keeps no weight.
    assert!(model.weights[5 * 3..].iter().all(|w| *w == 0.0));
    // The ratio folded into a weight has the sign of how much more often the class has the feature: feature 0
    // never appears in class 1, so class 1's weight on it is negative.
    assert!(model.weights[1] < 0.0, "{}", model.weights[1]);
}

#[test]
fn annotator_agreement_scores_each_annotation_against_the_others_majority() {
    // Utterance 0 coded three times (question, question, reflection), utterance 1 twice (reflection, input),
    // utterance 2 once (not counted).
    let csv = "transcript_id,utterance_id,interlocutor,utterance_text,main_therapist_behaviour,client_talk_type\n\
               t,0,therapist,What brings you?,question,n/a\n\
               t,0,therapist,What brings you?,question,n/a\n\
               t,0,therapist,What brings you?,reflection,n/a\n\
               t,1,therapist,You came anyway.,reflection,n/a\n\
               t,1,therapist,You came anyway.,therapist_input,n/a\n\
               t,2,therapist,Hello.,other,n/a\n";
    let rows = read_annomi(csv.as_bytes()).unwrap();
    let agreement = annotator_agreement(&rows);
    let (task, pairs, f1) = agreement[0];
    assert_eq!((task, pairs), (Task::Behaviour, 5));
    // Pairs (majority of the others, own): utterance 0: (question, question): the others are question and
    // reflection, a tie, and question came first; (question, question); (question, reflection). Utterance 1:
    // (input, reflection), (reflection, input). Per class: question tp 2, gold 3, predicted 2: F1 4/5;
    // reflection tp 0: F1 0; input tp 0: F1 0. Macro over the three present: 4/15.
    assert!((f1 - 4.0 / 15.0).abs() < 1e-12, "{f1}");
    assert_eq!(agreement.len(), 1, "the other tasks have no utterance coded twice");
}
