-- A per-user sign-in epoch: the signed `userId` cookie carries it, and sign-out or forget-me
-- replace it, so a copied cookie dies with the session it came from. Random per user, so a
-- user who is forgotten and signs in again does not revive old cookies.
ALTER TABLE google_grants ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- OAuth `state` values handed out at /api/auth/google and not yet used (SHA-256, hex). The
-- callback deletes its row before calling Google: one state, one code exchange.
CREATE TABLE oauth_states (
    state_hash TEXT    PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
);
