# Signals: what the therapist sees, each explained in plain words, with suggested actions. The actions are the
# project's own plain wording and are not validated guidance (docs/SCIENCE.md#suggested-actions).

## Explanations
signal-then = { $first } { $second }
signal-for-measure = { $measure }: { $explanation }
signal-risk = In session { $session } the client said they had thoughts of being better off dead or of hurting themselves { $how } (PHQ-9 item 9 = { $item9 }).
item9-1 = on several days
item9-2 = on more than half the days
item9-3 = nearly every day
signal-discrepancy = In session { $session } the therapist rated the alliance { $therapist } and the client { $client }: the client's rating is { $gap } points lower than the therapist's (the practice flags gaps of { $threshold } or more).
signal-discrepancy-culture = In session { $session } the therapist's reflection rated the client's feeling that their background and values are understood and respected { $therapist } and the client rated it { $client } (1-5): { $gap } points lower than the therapist thought (the practice flags gaps of { $threshold } or more). The item is Alliance's own wording, not validated.
signal-missed-sessions = The client missed the last { $missed } sessions in a row.
signal-missed-checks = No relationship check (the client's post-session questionnaire) was completed in the last { $missed } sessions in a row ({ $sessions } of them missed).
signal-rupture = Possible rupture in session { $onset }: { $how }. { $status }
signal-rupture-of-kind = Possible rupture in session { $onset } ({ $kind }): { $how }. { $status }
rupture-kind-withdrawal = the client pulled back
rupture-kind-confrontation = the client pushed back
rupture-status-not-known = Whether it was repaired is not known: no relationship check has been read since session { $last }.
rupture-status-open = It has not been repaired yet.
rupture-status-unrepaired = It was not repaired by session { $session }.
rupture-status-score-returned = The alliance score was back to its earlier level in session { $session }.
rupture-status-score-at-cutoff = The alliance score was back at the cut-off in session { $session }.
rupture-status-talked-through = The client said it was talked through in session { $session }.
rupture-status-therapist-repaired = The therapist said it was addressed and repaired in session { $session }.
rupture-first-check = It came at the client's first check: there is no earlier score to compare with.
rupture-rules-and = { $first }; { $rest }
rupture-accounts-and = { $first }, { $rest }
rupture-rule-dip-from = the alliance score fell from about { $from } to { $to }, more than this client's usual ups and downs
rupture-rule-dip = the alliance score fell more than this client's usual ups and downs
rupture-rule-sudden-loss = a sudden, lasting drop in the alliance score
rupture-rule-below-cutoff = the alliance score was below the instrument's cut-off
rupture-rule-reported = a rupture was reported after the session
rupture-account-client = the client reported a rupture after session { $session }
rupture-account-client-talked = the client reported a rupture after session { $session } and said it was talked through
rupture-account-therapist = the therapist reported a rupture after session { $session }
rupture-account-therapist-repaired = the therapist reported a rupture after session { $session } and said it was repaired
signal-change = From { $pre } to { $post } by session { $session }: the client { $words }.
signal-change-recovered = improved reliably and moved into the non-clinical range
signal-change-improved = improved by more than measurement error explains
signal-change-deteriorated = got worse by more than measurement error explains
signal-change-harmed = got reliably worse and moved from the non-clinical into the clinical range
signal-not-on-track = In session { $session } the score was { $observed }; clients who started like this one were expected near { $expected }, and { $boundary } is the edge of the usual range.
signal-not-on-track-in-a-row = { $k } scores in a row are now beyond that edge.
signal-not-on-track-default = In session { $session } the PHQ-9 was { $latest }, against { $intake } at the first score: not the fall of { $fall } points that counts as reliable improvement. The practice has no expected course of its own yet, so Alliance uses a plain rule: no reliable improvement by session { $by } (a project default) is not on track.
signal-low-alliance = In session { $session } the client rated the alliance { $score }, below the concern threshold of { $cutoff }. The threshold is provisional: no study has set a cut-off for this questionnaire.
low-alliance-since-one = In session { $start } the client rated the alliance { $latest }
low-alliance-since-many = Since session { $start } the client's alliance ratings have been at or near the concern threshold (lowest { $lowest }, latest { $latest } in session { $latestSession })
signal-low-alliance-episode = { $since }, below the concern threshold of { $cutoff }. The threshold is provisional: no study has set a cut-off for this questionnaire. One signal covers this stretch until { $clear } ratings in a row are at or above it.
signal-after-risk = The client answered PHQ-9 item 9 above 0 in session { $session } and has not answered it since.
signal-stopped-asking = The client asked not to be asked for checks after their sessions. No check link can be made until they start again, from their own page or a link they still hold.

## Suggested actions
action-withdrawal-name = Gently name what you noticed (shorter answers, changing the subject, agreeing too readily) and ask what was going on for the client.
action-withdrawal-invite = Invite the client to say what they think and feel about you or the therapy, and make it safe to say something critical.
action-withdrawal-misunderstood = Check whether something you said or proposed was misunderstood, and clear it up.
action-withdrawal-pattern = If the client finds it useful, look together at whether pulling back like this happens in other relationships too.
action-confrontation-own-part = Acknowledge your own part in what went wrong, where you see one, without defending yourself.
action-confrontation-objection = Take the client's objection seriously and say that it makes sense from where they stand.
action-confrontation-task = Agree together on a different task or goal, or explain once why you proposed the task; do not press the rationale while the relationship is strained (pressing it has gone with poorer outcomes).
action-confrontation-more = Invite the client to say more about what is not working for them.
action-rupture-ask = Ask the client how the last session felt, and listen for pulling back or pushing back.
action-rupture-invite = Invite the client to say what they think and feel about you or the therapy.
action-rupture-own-part = If something went wrong, acknowledge your own part where you see one, and agree together how to go on.
action-unrepaired-supervision = Consider taking this rupture to supervision.
action-off-track-alliance = Check the alliance: ask how the client experiences working with you.
action-off-track-motivation = Check motivation: what does the client want from therapy now?
action-off-track-support = Check social support: who helps the client, and has that changed?
action-off-track-goals = Check the goals: are you still working on what matters to the client?
action-off-track-life-events = Check life events since the last sessions (loss, conflict, work, health, medication).
action-off-track-formulation = Review the formulation together: does it still explain what keeps the difficulties going?
action-off-track-referral = Consider a medication or referral review (the client's doctor, a psychiatrist, a more intensive service).
action-off-track-chart = Show the client the chart of their scores and talk about it together.
action-off-track-risk = Re-check risk: ask directly about thoughts of death or self-harm, whatever item 9 said before.
action-discrepancy-feedback = Ask the client for feedback on the last sessions; they may see the work differently from you.
action-discrepancy-look-back = Look back at the session for signs of pulling back or pushing back.
action-discrepancy-supervision = Consider discussing the difference in supervision.
action-low-alliance-provisional = Treat the threshold as provisional: look at the client's own scores over time, not the line alone.
action-low-alliance-ask = Ask the client how the work together feels to them, and what would make it more useful.
action-low-alliance-goals = Check that you still agree on the goals and on how you are working towards them.
action-low-alliance-supervision = Consider taking the case to supervision.
action-disengagement-contact = Contact the client to ask how they are and whether the appointments still suit them.
action-disengagement-schedule = Ask whether the questionnaires feel useful or burdensome, and adjust the schedule.
action-stopped-talk = Talk with the client about it at the next session: what made the questions unwelcome, and whether fewer of them (the episode's schedule), or none for a while, would suit them better.
action-stopped-respect = Respect the choice: the therapy goes on as before, and the client can start being asked again themselves.
action-after-risk-contact = Contact the client today: they said they had thoughts of death or self-harm in a recent session and have not been seen or heard from since.
action-after-risk-recheck = Re-check risk when you reach them (thoughts of death or self-harm, plans and means), and follow the practice's risk protocol if you cannot reach them.
action-risk-protocol = Follow the practice's risk protocol now.
action-risk-ask = Ask the client directly about thoughts of death or self-harm, plans and means.

## Where the expected course comes from
etr-practice-recent = Expected course fitted on this practice's PHQ-9 data: the { $clients } most recent of { $eligible } clients with three or more scores ({ $observations } outcome scores after intake).
etr-practice = Expected course fitted on this practice's PHQ-9 data ({ $clients } clients, { $observations } outcome scores after intake).
etr-default-rule = No expected course yet. The default rule applies: not on track when the PHQ-9 has not fallen by { $fall } points (reliable improvement, NHS Talking Therapies) by session { $session } (a project default, not a clinical norm), because { $reason }.
etr-reason-not-converged = the fit on the practice's data did not converge
etr-reason-singular = the fit on the practice's data is singular (intercept SD { $intercept }, slope SD { $slope }, correlation { $correlation }): its bands cannot be trusted yet
etr-reason-not-fitted = the practice's data could not be fitted ({ $error })
etr-reason-too-few = the practice has { $eligible } clients with three or more PHQ-9 scores and needs { $needed }
etr-fit-usable = Fit: { $clients } clients, { $scores } outcome scores, not singular; intercept-slope correlation { $correlation }, residual SD { $residual } points.
etr-fit-unusable = Fit: { $clients } clients, { $scores } outcome scores, singular or not converged; intercept-slope correlation { $correlation }, residual SD { $residual } points.
etr-number = { $value }
etr-none = none
etr-built = Built { $at } UTC.

## Dropout warning (issue 18)
signal-dropout-risk = Early warning of dropout: a score of { $percent } % (the alert starts at { $threshold } %), mostly from { $main }. The score is a project default tuned on generated practices, not validated on real clinical data.
dropout-feature-alliance-trend = a falling alliance
dropout-feature-alliance-shortfall = an alliance weaker than is usual in this practice
dropout-feature-open-ruptures = ruptures not yet repaired
dropout-feature-missed-checks = skipped checks
dropout-feature-missed-sessions = missed sessions
dropout-feature-none = no single sign
action-dropout-ask = Ask the client how the therapy is going for them and whether it still fits what they came for.
action-dropout-missed = Talk about missed sessions or checks openly and without blame, and agree on what would make coming easier.
action-dropout-alliance = Review the alliance with the client (goals, tasks and the relationship), and consider bringing it to supervision.
client-signal-dropout-risk = Dropout warning
caseload-badge-dropout-risk = May drop out
signal-dropout-risk-refit = Early warning of dropout: a score of { $percent } % (the alert starts at { $threshold } %), mostly from { $main }. The weights were refitted on this practice's own ended episodes; the score is still not validated as a clinical tool.
