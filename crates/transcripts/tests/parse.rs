//! Transcript files: the three formats, and every kind of bad file refused with the line at fault.

use alliance_transcripts::parse::{Format, MAX_BYTES, MAX_SPEAKER_CHARS, ParseError, parse};
use alliance_transcripts::speakers::{Role, SpeakerError, assign};

const VTT_VOICES: &str = "WEBVTT\n\nNOTE exported by a video-call tool\n\n1\n00:00:01.000 --> 00:00:04.500\n<v Dr Rivera>How has the week been since we last met?</v>\n\n2\n00:00:05.000 --> 00:00:07.000\n<v Sam>Honestly, pretty rough.\n\n3\n00:00:07.000 --> 00:00:09.250\n<v Sam>I <i>barely</i> slept &amp; skipped work.\n\n00:01:10.000 --> 00:01:12.000\n<v.loud Dr Rivera>That sounds exhausting.\n";

#[test]
fn webvtt_voices_become_turns_and_one_speakers_cues_join() {
    let t = parse(VTT_VOICES.as_bytes()).unwrap();
    assert_eq!(t.format, Format::WebVtt);
    let said: Vec<(&str, &str, Option<u64>)> =
        t.utterances.iter().map(|u| (u.speaker.as_str(), u.text.as_str(), u.start_ms)).collect();
    assert_eq!(
        said,
        vec![
            ("Dr Rivera", "How has the week been since we last met?", Some(1_000)),
            ("Sam", "Honestly, pretty rough. I barely slept & skipped work.", Some(5_000)),
            ("Dr Rivera", "That sounds exhausting.", Some(70_000)),
        ]
    );
    assert_eq!(t.speakers(), vec!["Dr Rivera", "Sam"]);
}

#[test]
fn webvtt_colon_cues_and_short_timestamps() {
    let text = "WEBVTT\n\n00:01.000 --> 00:03.000\nTherapist: What brings you in?\n\n00:03.500 --> 00:06.000\nClient: My sister said I should come.\nI'm not sure why.\n";
    let t = parse(text.as_bytes()).unwrap();
    assert_eq!(t.utterances.len(), 2);
    assert_eq!(t.utterances[1].text, "My sister said I should come. I'm not sure why.");
    assert_eq!(t.utterances[1].start_ms, Some(3_500));
}

#[test]
fn srt_blocks() {
    let text = "1\n00:00:01,000 --> 00:00:03,000\nTherapist: Where would you like to start?\n\n2\n00:00:03,200 --> 00:00:05,000\nClient: With my job, I think.\n";
    let t = parse(text.as_bytes()).unwrap();
    assert_eq!(t.format, Format::Srt);
    assert_eq!(t.utterances[0].speaker, "Therapist");
    assert_eq!(t.utterances[1].text, "With my job, I think.");
    assert_eq!(t.utterances[1].start_ms, Some(3_200));
}

#[test]
fn plain_lines_with_continuations_and_a_byte_order_mark() {
    let text = "\u{feff}Therapist: Tell me about the drinking.\nClient: It's mostly weekends.\nWell, and Thursdays: poker night.\nTherapist: Mm-hmm.\n";
    let t = parse(text.as_bytes()).unwrap();
    assert_eq!(t.format, Format::Plain);
    assert_eq!(t.utterances.len(), 3);
    // "Well, and Thursdays" has a comma before its colon: not a speaker name, so it continues the turn.
    assert_eq!(t.utterances[1].text, "It's mostly weekends. Well, and Thursdays: poker night.");
    assert_eq!(t.utterances[1].line, 2);
}

#[test]
fn bad_files_are_refused_with_their_reason() {
    let cases: Vec<(Vec<u8>, ParseError)> = vec![
        (Vec::new(), ParseError::Empty),
        (b"  \n\n \n".to_vec(), ParseError::Empty),
        (b"\x89PNG\r\n\x1a\n\0\0\0IHDR".to_vec(), ParseError::Binary { offset: 6 }),
        (b"Client: caf\xe9\n".to_vec(), ParseError::NotUtf8 { offset: 11 }),
        (b"just some words without a speaker\n".to_vec(), ParseError::MissingSpeaker { line: 1 }),
        (
            b"WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nClient: hi\n".to_vec(),
            ParseError::BadTiming { line: 3, found: "00:00:01.000 --> 00:00:0x.000".to_owned() },
        ),
        (
            b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nClient: the end before the start\n".to_vec(),
            ParseError::BadTiming { line: 3, found: "00:00:05.000 --> 00:00:01.000".to_owned() },
        ),
        (
            b"WEBVTT\n\n00:01:75.000 --> 00:01:76.000\nClient: seventy-five seconds\n".to_vec(),
            ParseError::BadTiming { line: 3, found: "00:01:75.000 --> 00:01:76.000".to_owned() },
        ),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n".to_vec(), ParseError::EmptyCue { line: 3 }),
        (
            b"WEBVTT\n\nClient: no timing here\n".to_vec(),
            ParseError::BadTiming { line: 3, found: "Client: no timing here".to_owned() },
        ),
        (
            b"1\n00:00:01,000 --> 00:00:02,000\nClient: ok\n\nsecond\n00:00:03,000 --> 00:00:04,000\nClient: x\n"
                .to_vec(),
            ParseError::BadSrtBlock { line: 5 },
        ),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v >nobody\n".to_vec(), ParseError::MissingSpeaker { line: 4 }),
    ];
    for (bytes, expected) in cases {
        assert_eq!(parse(&bytes), Err(expected.clone()), "{:?}", String::from_utf8_lossy(&bytes));
        assert!(!expected.to_string().is_empty());
    }
}

#[test]
fn a_long_speaker_name_and_an_oversized_file_are_refused() {
    let name = "A".repeat(MAX_SPEAKER_CHARS + 1);
    let text = format!("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v {name}>hello\n");
    assert_eq!(parse(text.as_bytes()), Err(ParseError::SpeakerTooLong { line: 4 }));
    let big = "Client: ".to_owned() + &"a".repeat(MAX_BYTES);
    assert_eq!(parse(big.as_bytes()), Err(ParseError::TooLarge { size: big.len(), limit: MAX_BYTES }));
    // Exactly at the limit is still read.
    let at_limit = "Client: ".to_owned() + &"a".repeat(MAX_BYTES - 8);
    assert_eq!(parse(at_limit.as_bytes()).unwrap().utterances.len(), 1);
}

#[test]
fn hostile_markup_is_read_as_text_not_obeyed() {
    let text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Client><script>alert(1)</script>&lt;b&gt;\n";
    let t = parse(text.as_bytes()).unwrap();
    assert_eq!(t.utterances[0].text, "alert(1)<b>");
    assert_eq!(t.utterances[0].speaker, "Client");
}

#[test]
fn speakers_map_to_roles_or_the_transcript_is_refused() {
    let t = parse(VTT_VOICES.as_bytes()).unwrap();
    let roled = assign(&t, &["dr rivera"], &["Sam"]).unwrap();
    assert_eq!(roled.iter().map(|u| u.role).collect::<Vec<_>>(), vec![Role::Therapist, Role::Client, Role::Therapist]);
    assert_eq!(assign(&t, &[], &["Sam"]), Err(SpeakerError::Unplaced("Dr Rivera".to_owned())));
    assert_eq!(assign(&t, &["Sam", "Dr Rivera"], &["Sam"]), Err(SpeakerError::Both("Sam".to_owned())));
    assert_eq!(assign(&t, &["Sam", "Dr Rivera"], &[]), Err(SpeakerError::NoClient));
    let named = parse(b"Therapist: Hello.\nPatient: Hi.\n").unwrap();
    assert_eq!(assign(&named, &[], &[]).unwrap()[1].role, Role::Client);
    let only_client = parse(b"Client: Hi.\n").unwrap();
    assert_eq!(assign(&only_client, &[], &[]), Err(SpeakerError::NoTherapist));
}
