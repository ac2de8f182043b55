-- Meeting drafts: exactly what the avatar read back, bound to one user and one session, usable
-- once within 15 minutes. `used_at` is set when create_meeting claims it; `answer` once the
-- event exists (a retry gets the same answer, and no second invitation).
CREATE TABLE meeting_drafts (
    id         TEXT    PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL,
    session    INTEGER NOT NULL,
    payload    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    event_id   TEXT,
    answer     TEXT
);

-- Every create_meeting attempt, written before it is answered.
CREATE TABLE meeting_audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    user_id   TEXT    NOT NULL,
    draft_id  TEXT    NOT NULL,
    attendees TEXT    NOT NULL DEFAULT '',
    event_id  TEXT,
    outcome   TEXT    NOT NULL,
    detail    TEXT
);
CREATE INDEX meeting_audit_user_at ON meeting_audit (user_id, at);
