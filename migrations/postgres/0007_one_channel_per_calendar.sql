-- At most one push channel per user and calendar, on every instance: a page opened while a
-- channel is being renewed, or two instances renewing at once, can no longer open a second one.
-- Earlier duplicates are dropped, keeping the one that lives longest (the others expire at
-- Google by themselves; their notifications then meet an unknown channel).
DELETE FROM watch_channels WHERE id IN (
    SELECT a.id FROM watch_channels a JOIN watch_channels b
      ON a.user_id = b.user_id AND a.calendar_id = b.calendar_id
     AND (a.expires_at < b.expires_at OR (a.expires_at = b.expires_at AND a.id < b.id))
);
CREATE UNIQUE INDEX watch_channels_one_per_calendar ON watch_channels (user_id, calendar_id);

-- Renewals are claimed in small batches under a token, so the claimer can extend its lease on
-- the whole batch while it works through it.
ALTER TABLE watch_channels ADD COLUMN renew_claim TEXT;
