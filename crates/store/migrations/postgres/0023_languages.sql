-- Languages (issue 17). A client's language drives their check, their own page, the tablet and their e-mails; a
-- staff user's drives their pages. NULL means "not chosen": the browser's Accept-Language, then English. Only the
-- tags Alliance has message files for are stored (the application refuses others).
ALTER TABLE clients ADD COLUMN language TEXT;
ALTER TABLE users ADD COLUMN language TEXT;
