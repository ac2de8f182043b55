-- One row per user who has signed in with Google. The refresh token is AES-256-GCM encrypted
-- (see src/token_cipher.rs); NULL means the grant was revoked and the user must sign in again.
CREATE TABLE google_grants (
    user_id       TEXT    PRIMARY KEY NOT NULL,
    email         TEXT    NOT NULL,
    refresh_token BLOB,
    scope         TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
