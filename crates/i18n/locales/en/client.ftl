# What a client reads: the check after a session, their own page, the waiting-room tablet, stopping and starting.

## The check
check-title = Your check-in
check-heading = After your session
check-minutes = { $minutes ->
    [one] about { $minutes } minute
   *[other] about { $minutes } minutes
}
check-lead = { $questions ->
    [one] { $questions } short question, { $duration }. Your answers go to your therapist (and, if they have one, their clinical supervisor), to help the two of you work well together.
   *[other] { $questions } short questions, { $duration }. Your answers go to your therapist (and, if they have one, their clinical supervisor), to help the two of you work well together.
}
check-errors = Some answers are missing or not valid. Please look at the marked questions.
check-first-error = Go to the first marked question
check-send = Send my answers
check-fine-print = No account, no tracking. This link works once and expires on { $expires }.
check-own-page = Your page: your goals and how things are moving
check-back = Back
check-next = Next
check-part-label = Part { $part } of { $parts }: { $title }
check-stop = Stop asking me
check-part = part { $part } of { $parts }
check-not-validated = This short check was written by the Alliance project and has not yet been validated in research.
check-translation-not-validated = This translation was made by the Alliance project and has not been validated.
check-in-english = This questionnaire is shown in English: a checked translation into your language is not available here, and a questionnaire's wording must not be changed.
check-why = Why we ask
check-optional = (optional)
check-answer-required = Please answer this question.
check-choose-one = Please choose one of the answers.
check-choose-goal = Please choose a number from 0 to 10.
check-shorter = Please keep this shorter.

## Goals and tasks on the check
check-tasks-title = What you agreed to try
check-tasks-instructions = Did you do what you and your therapist agreed on last time?
check-tasks-why = Trying things between sessions is part of the work you do together. Whatever the answer, it helps your therapist plan the next steps with you.
check-task-obstacle = What got in the way, if anything?
task-done-yes = Yes
task-done-partly = Partly
task-done-no = No
check-goals-title = Your goals
check-goals-instructions = How close are you to each goal you agreed with your therapist? 0 means not at all, 10 means you have reached it.
check-goals-why = Your goals are in your own words. Your ratings show you both how things are moving.

## What the client is told about their answers
consent-summary = About your answers
consent-summary-due = About your answers: please read this first
consent-what-title = What we ask and why.
consent-what = After each session a few short questions: how you are feeling, how the session went for you, and how you are doing with the goals you agreed. Your answers help you and your therapist see what is working and what to change.
consent-who-title = Who sees them.
consent-who = Your therapist. If something urgent about you must be dealt with while your therapist cannot be reached, a practice administrator can open your record; that is recorded and your therapist is told. Nobody else, unless you agree below.
consent-who-supervised = Your therapist, and their clinical supervisor, who helps them with their work. If something urgent about you must be dealt with while your therapist cannot be reached, a practice administrator can open your record; that is recorded and your therapist is told. Nobody else, unless you agree below.
consent-keep-title = How long they are kept.
consent-stop-title = How to stop.
consent-stop = You can stop being asked at any time with the button at the end of this page, and start again later. Stopping changes nothing about your therapy.
consent-research = May your answers be used for research, without your name or anything that identifies you?
consent-research-yes = Yes, they may
consent-research-no = No
retention-years = { $years ->
    [one] Until one year after your therapy ends; then they are deleted.
   *[other] Until { $years } years after your therapy ends; then they are deleted.
}
retention-practice = As long as the practice keeps your record; you can ask your therapist to delete it at any time.

## After the check
thanks-title = Thank you
thanks-sent = Your answers have been sent to your therapist.
thanks-bring-up = If something felt off in the session, you are welcome to bring it up next time: it often helps.
thanks-own-page = See your goals and progress

## Links that do not work
link-invalid-title = This link does not work
link-invalid = Please check that the whole link was copied, or ask your therapist for a new one.
link-used-title = Already answered
link-used = Your answers for this session have already been received. Thank you.
link-used-with-crisis = This link has already been used. If you sent these answers a moment ago, they have arrived. If not, please tell your therapist how you are.
link-expired-title = This link has expired
link-expired = Links only work for a few days, to keep your answers private.
link-expired-new = There is no problem: your therapist can give you a new one next time.
link-expired-with-crisis = These answers could not be sent with this link. Please tell your therapist how you are.
check-retry-title = Please try again in a minute
check-failed-title = Something went wrong
check-retry = Your answers could not be sent just now. Please send them again in a minute.
own-link-invalid = It may have been turned off or replaced by a newer one. Please ask your therapist for your current link.

## Stopping and starting again
asking-stopped-title = You will not be asked again
asking-stopped = No new check will be sent to you. Your therapist will see that you asked, and may want to talk about it with you; your therapy goes on as before.
asking-changed-mind = Changed your mind?
asking-resume = Start being asked again
asking-resumed-title = You will be asked again
asking-resumed = Your therapist can send you the short check after your sessions again.
asking-own-page = Your page

## The waiting-room tablet
kiosk-title = Your check
kiosk-heading = Your check after the session
kiosk-lead = Type the code your therapist gave you.
kiosk-code = Code
kiosk-open = Open my check
kiosk-fine-print = This tablet keeps nothing: when you are done it clears itself.
kiosk-bad-code = This code does not work. Check it with your therapist: a code works once, for 15 minutes.
kiosk-not-set-up-title = This tablet is not set up
kiosk-not-set-up = Please ask at the reception.
kiosk-done = Your answers have been sent to your therapist. Please hand the tablet back. Tap Done, or it goes back by itself in half a minute.
kiosk-done-button = Done

## The client's own page
own-title = Your page
own-lead = Your goals, your ratings and how things are moving, for you and your therapist to look at together.
own-print = Print view
own-print-why = : to bring to a session.
own-goals = Your goals
own-no-goals = No goals agreed yet. You can choose them together with your therapist.
own-proposed = Waiting to be talked through with your therapist:
own-propose-label = A goal you would like to work on, in your own words
own-propose = Suggest this goal
own-propose-next = Your therapist will talk it through with you at your next session.
own-doing = How you are doing
own-no-answers = Your answers will show here after your first check.
own-reliable = A "reliable" change is larger than the ups and downs a questionnaire shows by chance.
own-sessions = How the sessions went for you
own-tasks = What you agreed to try
own-no-tasks = Nothing agreed yet.
own-about = About your answers
own-who = Your therapist sees your answers; if they have a clinical supervisor, so does the supervisor. If something urgent about you must be dealt with while your therapist cannot be reached, a practice administrator can open your record; that is recorded and your therapist is told.
own-research = Research use of your answers, without your name:
own-research-agreed = you agreed
own-research-not-agreed = you did not agree
own-research-withdraw = Withdraw my agreement
own-research-agree = I agree to research use
own-download = Download your answers
own-download-what = (a file to keep).
own-stopped = You asked not to be asked after your sessions.
own-private = This page is yours. Anyone with this link can see it, so keep it to yourself. Your therapist can turn the link off or give you a new one.
own-goal-latest = Your latest rating: { $latest } of 10 ({ $first } at the start)
own-goal-only = Your rating: { $latest } of 10
own-goal-unrated = Not rated yet: you will be asked after your next session.
own-goal-achieved = reached
own-outcome-change = Your { $measure } went from { $first } to { $latest }: { $change }.
own-outcome-first = Your first { $measure } score is { $latest }.
change-reliable-improvement = a reliable improvement
change-reliable-deterioration = a reliable worsening: please talk about it with your therapist
change-recovered = a reliable improvement, to below the level that usually means a clinical problem
change-unchanged = not a reliable change yet
own-alliance = How the sessions went for you: { $first } at your first check, { $latest } at your latest (from { $min } to { $max }; higher is better).
own-chart-alliance-title = How the sessions went for you
own-chart-rating = Your rating
own-chart-you = You
own-proposal-ended = Your therapy has ended, so there are no new goals to add.
own-proposal-full = You already have three goals: talk with your therapist about which to change.
own-proposal-invalid = Your goal: { $problem }.
own-research-choose = Choose yes or no.
task-report-pending = to tell your therapist about at your next check
task-report-yes = you did it
task-report-partly = you did part of it
task-report-no = it did not happen this time

## Charts
chart-data-table = Data table
chart-session = Session
## Background (issue 20)
background-title = About you, if you wish
background-lead = Some people find it helps their therapy when their background is understood. Each question is optional: answer in your own words, only what you want to share. Your therapist (and their clinical supervisor, if they have one) sees your answers; you can change or remove them here at any time.
background-category-language = Language
background-category-identity = Cultural or ethnic identity
background-category-faith = Faith or beliefs
background-category-gender = Gender
background-category-age-band = Age group
background-words = In your own words
background-matters = Does this matter in your therapy?
background-shared = Do you feel your therapist shares it?
background-answer-yes = Yes
background-answer-no = No
background-answer-unsure = Not sure
background-consent = I agree that this answer is kept with my record.
background-save = Save
background-remove = Remove my answer about { $category }
background-consent-needed = Your answer was not kept: tick the box to agree that it is kept with your record.
background-choose = Choose yes, no or not sure.
background-unknown-category = This question is not asked here.
