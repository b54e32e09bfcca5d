# E-mails and text messages. A client's say nothing clinical and name nobody; a staff user's carry no clinical detail.

mail-risk-subject = Alliance: a client needs you
mail-risk-body =
    One of your clients may need you soon: something in their latest check asks for their therapist's attention today.

    Sign in to see who and what to do:
    { $link }

    This message says nothing more on purpose: e-mail is not the place for clinical details.
mail-password-changed-subject = Alliance: your password was changed
mail-password-changed-body =
    The password of your Alliance account was just changed, and your other sign-ins were ended.

    If this was not you, tell your practice's administrator at once.

    Your account: { $link }
mail-password-reset-subject = Alliance: set a new password
mail-password-reset-body =
    Your practice's administrator made a link for you to set a new password. It works once, for 24 hours:
    { $link }

    If you did not ask for this, tell your administrator.
mail-check-subject = Your check after today's session
mail-check-body =
    Your therapist's practice asks a few short questions about today's session. It takes a few minutes, and your answers go only to your therapist:
    { $link }

    The link works once and only for a few days. Please do not forward this message.
mail-reminder-subject = A reminder: your check after your last session
mail-reminder-body =
    You have not answered the short check after your last session yet. If you would like to, it takes a few minutes:
    { $link }

    The link works once and only for a few days. If you do not want to answer, you can ignore this message; you will not get another reminder.
sms-check = Your check after today's session (a few minutes, works once): { $link }
sms-reminder = A reminder: your check after your last session, if you would like to answer it: { $link }
