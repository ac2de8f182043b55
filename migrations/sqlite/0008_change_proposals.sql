-- Change proposals (propose_change) are kept like meeting drafts, sent once like them: one
-- table, told apart by `kind`, so a change id can never be sent as a meeting, nor the reverse.
ALTER TABLE meeting_drafts ADD COLUMN kind TEXT NOT NULL DEFAULT 'meeting';
