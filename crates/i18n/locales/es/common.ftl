# Words shared by every page: the product's name, dates, the language switch, error pages.

app-name = Alliance
page-title = { $title } · Alliance
skip-to-content = Skip to the content

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
language-switch-button = Show in this language

error-back = Back to the start
error-not-found-title = Not found
error-not-found = There is nothing at this address.
error-forbidden-title = Not allowed
error-forbidden = Your account cannot open this page.
error-bad-request-title = That did not work
error-conflict-title = Already changed
error-too-many-title = Too many attempts
error-too-many = Please wait a little and try again.
error-internal-title = Something went wrong
error-internal = The server could not finish this. Nothing you sent was lost; please try again in a moment.
error-unavailable-title = Not available just now
error-unavailable = The practice's server is busy or being looked after. Please try again in a moment.
