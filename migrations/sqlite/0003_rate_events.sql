-- Limits that must hold across instances (session mints per user and per client IP, and later
-- invitations per user): one row per allowed request, counted over a sliding window. A
-- refused request deletes its own row.
CREATE TABLE rate_events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    key    TEXT    NOT NULL,
    at_ms  INTEGER NOT NULL,
    amount INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rate_events_key_at ON rate_events (key, at_ms);
