-- Google Calendar push channels (events.watch), one per watched calendar of a user with a page
-- open or a live session. Stored so that any instance can receive a notification; the token
-- Google echoes back is kept hashed (SHA-256, hex) and compared in constant time.
CREATE TABLE watch_channels (
    id               TEXT    PRIMARY KEY NOT NULL,
    user_id          TEXT    NOT NULL,
    calendar_id      TEXT    NOT NULL,
    token_hash       TEXT    NOT NULL,
    resource_id      TEXT,
    expires_at       INTEGER  NOT NULL,
    wanted_until     INTEGER  NOT NULL,
    sync_token       TEXT,
    last_message     INTEGER  NOT NULL DEFAULT 0,
    renew_claimed_at INTEGER,
    created_at       INTEGER  NOT NULL
);
CREATE INDEX watch_channels_user ON watch_channels (user_id);
CREATE INDEX watch_channels_expiry ON watch_channels (expires_at);

-- The last answer seen from each guest of the user's own meetings, so a decline that is new
-- can be told apart from one already shown.
CREATE TABLE guest_responses (
    user_id  TEXT NOT NULL,
    event_id TEXT NOT NULL,
    email    TEXT NOT NULL,
    response TEXT NOT NULL,
    PRIMARY KEY (user_id, event_id, email)
);
