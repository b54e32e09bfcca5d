//! `alliance transcripts code|empathy|train|evaluate` on files written here (nothing from AnnoMI or EPITOME):
//! the rule coder's CSV, a model trained and used, and bad arguments and bad files refused with one line.

use std::path::Path;

use crate::{alliance, path_str, temp_csv};

const ANNOMI: &str = "transcript_id,utterance_id,interlocutor,utterance_text,main_therapist_behaviour,client_talk_type,reflection_subtype,question_subtype,mi_quality\n\
t1,0,therapist,What brings you in today?,question,n/a,n/a,open,high\n\
t1,1,client,\"I want to cut down, my kids have noticed.\",n/a,change,n/a,n/a,high\n\
t1,2,therapist,\"So you're worried about what your kids see, and you'd like that to change.\",reflection,n/a,complex,n/a,high\n\
t1,3,client,\"Honestly, it's not a big deal.\",n/a,sustain,n/a,n/a,high\n\
t2,0,therapist,Do you drink every day?,question,n/a,n/a,closed,low\n\
t2,1,client,Yeah.,n/a,neutral,n/a,n/a,low\n\
t2,2,therapist,Mm-hmm.,other,n/a,n/a,n/a,low\n";

const EPITOME: &str = "sp_id,rp_id,seeker_post,response_post,level,rationales\n\
s1,r1,I lost my job and I can't stop crying.,\"I'm so sorry, my heart goes out to you.\",2,\n\
s1,r2,I lost my job and I can't stop crying.,Check the job boards on Monday.,0,\n\
s2,r3,Nobody came to my birthday.,That sucks. Hang in there.,1,\n";

#[test]
fn the_rule_coder_codes_every_utterance_as_csv() {
    let file = temp_csv(ANNOMI);
    let run = alliance(&["transcripts", "code", "--annomi", path_str(&file)]).ok();
    // Expected codes by MITI 4.2.1's definitions (what opens a question, what a reflection hands back).
    assert_eq!(
        run.stdout,
        "transcript_id,utterance_id,interlocutor,behaviour,talk_type,reflection_subtype,question_subtype\n\
         t1,0,therapist,question,,,open\n\
         t1,1,client,,change,,\n\
         t1,2,therapist,reflection,,complex,\n\
         t1,3,client,,sustain,,\n\
         t2,0,therapist,question,,,closed\n\
         t2,1,client,,neutral,,\n\
         t2,2,therapist,other,,,\n"
    );
}

#[test]
fn the_rule_coder_rates_empathy() {
    let file = temp_csv(EPITOME);
    let run =
        alliance(&["transcripts", "empathy", "--epitome", path_str(&file), "--mechanism", "emotional-reactions"]).ok();
    assert_eq!(run.stdout, "sp_id,rp_id,level\ns1,r1,2\ns1,r2,0\ns2,r3,1\n");
}

fn epitome_dir(dir: &Path) {
    for mechanism in ["emotional-reactions", "interpretations", "explorations"] {
        std::fs::write(dir.join(format!("{mechanism}-train.csv")), EPITOME).unwrap();
    }
}

#[test]
fn a_trained_model_is_written_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let annomi = dir.path().join("annomi.csv");
    std::fs::write(&annomi, ANNOMI).unwrap();
    let epitome = dir.path().join("epitome");
    std::fs::create_dir(&epitome).unwrap();
    epitome_dir(&epitome);
    let model = dir.path().join("model.bin");
    let run = alliance(&[
        "transcripts",
        "train",
        "--annomi",
        path_str(&annomi),
        "--epitome",
        path_str(&epitome),
        "--out",
        path_str(&model),
    ])
    .ok();
    assert!(run.stdout.contains("7 utterances and 9 responses"), "{}", run.stdout);
    let bytes = std::fs::read(&model).unwrap();
    assert!(bytes.starts_with(b"ALLIANCE-TRANSCRIPT-MODEL"), "a model file");
    let coded = alliance(&["transcripts", "code", "--model", path_str(&model), "--annomi", path_str(&annomi)]).ok();
    let lines: Vec<&str> = coded.stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{}", coded.stdout);
    for line in &lines[1..] {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 7, "{line}");
        match f[2] {
            "therapist" => assert!(
                ["question", "reflection", "therapist_input", "other"].contains(&f[3]) && f[4].is_empty(),
                "{line}"
            ),
            "client" => assert!(["change", "neutral", "sustain"].contains(&f[4]) && f[3].is_empty(), "{line}"),
            other => panic!("interlocutor {other}"),
        }
        // A subtype only where its behaviour is.
        assert_eq!(!f[5].is_empty(), f[3] == "reflection", "{line}");
        assert_eq!(!f[6].is_empty(), f[3] == "question", "{line}");
    }
    let file = epitome.join("explorations-train.csv");
    let rated = alliance(&[
        "transcripts",
        "empathy",
        "--model",
        path_str(&model),
        "--epitome",
        path_str(&file),
        "--mechanism",
        "explorations",
    ])
    .ok();
    let rows: Vec<&str> = rated.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.ends_with(",0") || r.ends_with(",1") || r.ends_with(",2")), "{}", rated.stdout);
}

#[test]
fn bad_files_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.csv");
    let no_text = temp_csv("transcript_id,utterance_id,interlocutor\nt1,0,therapist\n");
    let bad_speaker =
        temp_csv("transcript_id,utterance_id,interlocutor,utterance_text\nt1,0,narrator,Once upon a time\n");
    let ragged = temp_csv("transcript_id,utterance_id,interlocutor,utterance_text\nt1,0,client,hi,extra\n");
    let header_only = temp_csv("transcript_id,utterance_id,interlocutor,utterance_text\n");
    let binary = dir.path().join("binary.csv");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe").unwrap();
    for (file, words) in [
        (path_str(&missing), &["cannot open"][..]),
        (path_str(&no_text), &["utterance_text"][..]),
        (path_str(&bad_speaker), &["row 2", "narrator"][..]),
        (path_str(&ragged), &["csv"][..]),
        (path_str(&header_only), &["no rows"][..]),
        (path_str(&binary), &[][..]),
    ] {
        alliance(&["transcripts", "code", "--annomi", file]).refused().says(words);
    }
    // Larger than the 64 MiB the commands read (a sparse file: no disk is used).
    let huge = dir.path().join("huge.csv");
    std::fs::File::create(&huge).unwrap().set_len(64 * 1024 * 1024 + 1).unwrap();
    alliance(&["transcripts", "code", "--annomi", path_str(&huge)]).refused().says(&["larger than"]);
    let bad_level = temp_csv("sp_id,rp_id,seeker_post,response_post,level\ns1,r1,a,b,7\n");
    alliance(&["transcripts", "empathy", "--epitome", path_str(&bad_level), "--mechanism", "interpretations"])
        .refused()
        .says(&["row 2", "level"]);
    let annomi = temp_csv(ANNOMI);
    let not_a_model = temp_csv("this is not a model\n");
    alliance(&["transcripts", "code", "--model", path_str(&not_a_model), "--annomi", path_str(&annomi)])
        .refused()
        .says(&["not an alliance transcript model"]);
    alliance(&["transcripts", "code", "--model", path_str(&missing), "--annomi", path_str(&annomi)]).refused();
    // A training folder without the three EPITOME files.
    let empty = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.bin");
    alliance(&[
        "transcripts",
        "train",
        "--annomi",
        path_str(&annomi),
        "--epitome",
        path_str(empty.path()),
        "--out",
        path_str(&out),
    ])
    .refused()
    .says(&["emotional-reactions"]);
    assert!(!out.exists(), "nothing written");
    // The evaluation says plainly when the research data is absent.
    alliance(&["transcripts", "evaluate", "--data", path_str(empty.path())]).refused().says(&["absent"]);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let annomi = temp_csv(ANNOMI);
    for args in [
        &["transcripts", "code"][..],
        &["transcripts", "empathy", "--epitome", path_str(&annomi), "--mechanism", "warmth"][..],
        &["transcripts", "empathy", "--epitome", path_str(&annomi)][..],
        &["transcripts", "train", "--annomi", path_str(&annomi)][..],
        &["transcripts", "evaluate", "--folds", "many"][..],
    ] {
        let run = alliance(args);
        assert!(!run.success, "{args:?} succeeded");
        assert!(run.stdout.is_empty(), "{args:?} printed on stdout");
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        assert!(run.stderr.lines().next().is_some_and(|l| l.starts_with("error: ")), "{args:?}: {}", run.stderr);
    }
    alliance(&["transcripts", "evaluate", "--folds", "1"]).refused().says(&["--folds"]);
}
