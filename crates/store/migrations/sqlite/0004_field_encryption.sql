-- Field encryption. E-mail addresses, names, pseudonyms, contacts and answers are stored sealed (see the store's
-- cipher module), so sign-in finds an account by a blind index: an HMAC of the normalised address under a key of
-- its own, unique as the address is. Sealed values are random-looking text in the existing columns.
ALTER TABLE users ADD COLUMN email_index BLOB;
CREATE UNIQUE INDEX users_email_index ON users (email_index);
