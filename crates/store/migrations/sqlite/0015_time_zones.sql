-- Each user's own time zone (issue 13: local time per practice and per user): an IANA name such as
-- Europe/Berlin, checked by the web layer; NULL follows the practice's zone (the server's --time-zone).
ALTER TABLE users ADD COLUMN time_zone TEXT;
