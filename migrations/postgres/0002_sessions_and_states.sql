-- A per-user sign-in epoch: the signed `userId` cookie carries it, and sign-out or forget-me
-- replace it, so a copied cookie dies with the session it came from.
ALTER TABLE google_grants ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;

-- OAuth `state` values handed out and not yet used (SHA-256, hex): one state, one exchange.
CREATE TABLE oauth_states (
    state_hash TEXT   PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);
