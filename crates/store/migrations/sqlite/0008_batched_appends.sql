-- PostgreSQL's migration 0008 lets a batch of submissions move the audit head by several entries and revise its
-- clients once per statement. SQLite writes a batch's entries one statement at a time and has no statement-level
-- triggers, so nothing changes here; the number is kept so that both engines' schema versions match (a copy
-- between them compares the versions).
SELECT 1;
