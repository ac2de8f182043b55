-- Limits that must hold across instances (session mints per user and per client IP, and later
-- invitations per user): one row per allowed request, counted over a sliding window. A
-- refused request deletes its own row.
CREATE TABLE rate_events (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key    TEXT   NOT NULL,
    at_ms  BIGINT NOT NULL,
    amount BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX rate_events_key_at ON rate_events (key, at_ms);
