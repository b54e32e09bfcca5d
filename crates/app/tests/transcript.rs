//! A transcript's coding as stored and read back (issue 21): what is stored beside the sealed text holds no
//! words, and the page's indicators, recomputed from the stored codes, are those of coding the transcript
//! directly with the crate; stored codes that cannot be read are a clear error, never a panic.

use alliance_app::transcript::{SpeakerChoice, TranscriptCoder, TranscriptError, code, view};
use alliance_store::{ClientId, SessionId, StoreError, StoredTranscript, UserId};
use alliance_transcripts::indicators::{code_session, indicators};
use alliance_transcripts::parse::parse;
use alliance_transcripts::rules::RuleCoder;
use alliance_transcripts::ruptures::RuptureRules;
use alliance_transcripts::speakers::assign;

const TEXT: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Dr Ruiz>What would you like to be different?\n\n\
                    00:00:05.000 --> 00:00:07.000\n<v Ana>I want to sleep better, I need to change something.\n\n\
                    00:00:08.000 --> 00:00:12.000\n<v Dr Ruiz>You are tired of nights like these and ready to act.\n\n\
                    00:00:13.000 --> 00:00:14.000\n<v Ana>I don't know.\n";

fn choice() -> SpeakerChoice {
    SpeakerChoice { therapists: vec!["Dr Ruiz".into()], clients: vec!["Ana".into()] }
}

fn stored(codes: &str, markers: &str) -> StoredTranscript {
    let coded = code(&TranscriptCoder::default(), TEXT.as_bytes(), &choice()).unwrap();
    StoredTranscript {
        session: SessionId(1),
        client: ClientId(1),
        attached_by: UserId(1),
        attached_at: time::OffsetDateTime::UNIX_EPOCH,
        text: coded.text,
        speakers: coded.speakers,
        coder: coded.coder,
        codes: codes.to_owned(),
        markers: markers.to_owned(),
        indicators: coded.indicators,
    }
}

#[test]
fn the_stored_coding_gives_back_what_coding_directly_gives() {
    let coded = code(&TranscriptCoder::default(), TEXT.as_bytes(), &choice()).unwrap();
    for words in ["sleep", "tired", "Ana", "Ruiz", "know"] {
        assert!(!coded.codes.contains(words) && !coded.markers.contains(words), "{words} beside the sealed text");
    }
    assert!(coded.speakers.contains("Dr Ruiz") && coded.text == TEXT, "kept in what is sealed");
    assert_eq!(coded.coder, "rules");

    // The crate, called directly on the same transcript.
    let utterances = assign(&parse(TEXT.as_bytes()).unwrap(), &["Dr Ruiz"], &["Ana"]).unwrap();
    let direct = code_session(&RuleCoder::new(), &utterances);
    let expected = indicators(&direct);
    let markers = RuptureRules::new().markers(&utterances);

    let opened = view(stored(&coded.codes, &coded.markers)).unwrap();
    assert_eq!(opened.coded, direct);
    assert_eq!(opened.indicators, expected);
    assert_eq!(opened.utterances, utterances);
    let spans: Vec<(usize, usize, &str)> = opened.markers.iter().map(|m| (m.first, m.last, m.rule.as_str())).collect();
    let direct_spans: Vec<(usize, usize, &str)> =
        markers.iter().map(|m| (*m.utterances.start(), *m.utterances.end(), m.rule)).collect();
    assert_eq!(spans, direct_spans);
    assert_eq!(coded.indicators.utterances, 4);
    assert_eq!(coded.indicators.therapist_talk, expected.therapist_talk.value);
}

#[test]
fn unplaced_unknown_or_missing_speakers_are_refused() {
    let coder = TranscriptCoder::default();
    let only_one = SpeakerChoice { therapists: vec!["Dr Ruiz".into()], clients: vec![] };
    assert!(matches!(code(&coder, TEXT.as_bytes(), &only_one), Err(TranscriptError::Speakers(_))));
    let stranger = SpeakerChoice { therapists: vec!["Dr Ruiz".into()], clients: vec!["Ana".into(), "Bo".into()] };
    assert!(matches!(code(&coder, TEXT.as_bytes(), &stranger), Err(TranscriptError::UnknownSpeaker(s)) if s == "Bo"));
    let one_voice = "Therapist: hello\nTherapist: again\n";
    assert!(matches!(code(&coder, one_voice.as_bytes(), &choice()), Err(TranscriptError::TooFewSpeakers(1))));
}

#[test]
fn stored_codes_that_cannot_be_read_are_a_clear_error() {
    let coded = code(&TranscriptCoder::default(), TEXT.as_bytes(), &choice()).unwrap();
    for (codes, markers) in [
        ("not json", coded.markers.as_str()),
        ("[]", coded.markers.as_str()),
        (r#"[{"role":"judge","words":1}]"#, coded.markers.as_str()),
        (coded.codes.as_str(), r#"[{"kind":"withdrawal","rule":"W1","first":0,"last":99}]"#),
    ] {
        match view(stored(codes, markers)) {
            Err(StoreError::Corrupt(why)) => assert!(why.contains("stored transcript"), "{why}"),
            other => panic!("{codes} / {markers}: {other:?}"),
        }
    }
}
