-- A person may connect several Google accounts (work and personal). Each account keeps its own
-- row here, keyed by its address: its own encrypted refresh token and scopes. The person is the
-- account they first signed in with; the rows of the accounts they added name it in
-- `person_id`. NULL: the row is a person of its own (every row written before this migration,
-- so users from before it keep working without signing in again).
ALTER TABLE google_grants ADD COLUMN person_id TEXT;
-- On a person's row: the account new events go to. NULL: the person's own account.
ALTER TABLE google_grants ADD COLUMN primary_account TEXT;
-- On a person's row: 1 when they removed the account they signed in with while others stay.
-- The row stays (the person's sign-in rests on it) without a token; signing in with that account
-- again brings it back.
ALTER TABLE google_grants ADD COLUMN account_removed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX google_grants_person ON google_grants (person_id);
