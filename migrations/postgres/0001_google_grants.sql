-- One row per user who has signed in with Google. The refresh token is AES-256-GCM encrypted
-- (see src/token_cipher.rs); NULL means the grant was revoked and the user must sign in again.
-- The same schema as migrations/sqlite, in PostgreSQL's types.
CREATE TABLE google_grants (
    user_id       TEXT   PRIMARY KEY NOT NULL,
    email         TEXT   NOT NULL,
    refresh_token BYTEA,
    scope         TEXT   NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
