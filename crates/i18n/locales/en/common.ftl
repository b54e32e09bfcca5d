# Words shared by every page: the product's name, dates, the language switch, error pages.

app-name = Alliance

month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
# A calendar day: "4 Dec 2026".
date-day-month-year = { $day } { $month } { $year }
# A moment: "4 Dec 2026, 10:30 CET".
date-time = { $date }, { $time } { $zone }

language-switch = Language

error-back = Back to the start
error-not-found-title = Not found
error-not-found = There is nothing at this address.
error-forbidden-title = Not allowed
error-forbidden = Your account does not give access to this page.
error-bad-request-title = Please check the form
error-too-large-title = Too much data
error-too-large = The form sent more data than Alliance accepts.
error-upload-unreadable = The form could not be read: its parts were malformed or cut off. Nothing was saved; send it again.
error-too-slow-title = The form took too long
error-too-slow = The form did not arrive in time. Please send it again.
error-cross-site-title = Request refused
error-cross-site = This form was sent from another site or an expired page. Go back, reload the page and try again.
error-unavailable-title = Please try again in a minute
error-unavailable = Alliance cannot reach its database just now. Nothing was saved: go back, and send the form again in a minute.
error-password-rejected-title = Your password was not accepted
error-password-rejected = Your password was not accepted (or, if you use an authenticator app, its code was missing, wrong or already used). Nothing was changed. Go back and enter your password and a new code again.
error-throttled-title = Please wait
error-throttled = There were too many attempts. Please wait { $seconds } seconds, then try again.
error-internal-title = Something went wrong
error-internal = Nothing was changed. Please try again in a moment.
error-not-possible = Not possible: { $why }.
error-unknown-field = The form contained a field that does not belong to it.
error-signal-not-current = That signal is no longer current. Reload the page.
error-risk-needs-action = A risk signal is acknowledged with what was done: choose the action, when it was done and, if no action was needed, why.
language-unknown = This language is not available.

# The therapist asking for a tablet code.
kiosk-client-stopped = The client asked not to be asked for checks.
kiosk-nothing-due = Nothing is due for this session's check.

# Score bands of the outcome measures (Kroenke et al. 2001; Spitzer et al. 2006).
band-minimal = minimal
band-mild = mild
band-moderate = moderate
band-moderately-severe = moderately severe
band-severe = severe

# Choosing a language that is kept: a staff user's own, and a client's.
language-settings-title = Language
language-settings-yours = Your language
language-settings-device = As the device says
language-settings-save = Save language
language-settings-client-title = The client's language
language-settings-client = The language of the client's checks, page and messages
language-settings-client-hint = The client can change it too: a check answered in another language becomes their language.

# Why a value was refused.
parse-empty = { $field } is required
parse-too-long = { $field } is longer than { $max } characters
parse-bad-characters = { $field } contains characters that are not allowed
parse-invalid = { $field } is not valid: { $why }
field-pseudonym = pseudonym
field-name = name
field-email = e-mail
field-password = password
field-role = role
field-rating = rating
field-goal = goal
field-task = task
field-obstacle = what got in the way
field-note = note
field-schedule = schedule
field-crisis-text = the crisis text
field-contact-name = a contact's name
field-contact = a contact
field-contact-link = a contact's link
field-contacts = the contacts
why-needs-at = it needs an @
why-not-an-address = it does not look like an address
why-password-length = it needs at least 12 characters
why-unknown-role = unknown role
why-zero-to-ten = it must be a whole number from 0 to 10
why-not-a-choice = not one of the choices
why-cadence = use every, every:N (2 to 8) or first-last
why-measure-form = write each measure as id=cadence
why-measure-twice = a measure is named twice
why-contacts-count = at most 8, one a line
why-contact-form = write it as: name | number or link
why-contact-target = give a phone number (digits, spaces, + - ( ) .) or an https:// link
why-https = it must be a plain https:// address
comment-empty = Please write a comment before sending it.
comment-too-long = The text can be at most { $max } characters long; this one has { $chars }. Please shorten it.
comment-bad-characters = The text contains characters that cannot be stored. Please retype it.

# Why a new password is refused.
password-repeats = it repeats too few different characters; a few unrelated words make a strong password
password-run = it is a keyboard or counting run
password-common = it is one of the most common passwords (digits or symbols added do not help)
password-own-name = it contains your name or e-mail address
password-guessable = it would be guessed quickly: it is close to a common or breached password, a word or name with a few changes, or a pattern; a few unrelated words make a strong password
password-current = it is your current password
password-current-reset = it is the password you have now
