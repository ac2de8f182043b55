-- When each user last signed out (unix seconds). A tool URL minted before it is refused on every
-- instance; the mint time is the URL's exp minus its route's life. Kept after forget-me, so a
-- URL minted before it stays dead if the user signs in again; pruned once every URL minted
-- before it has expired anyway.
CREATE TABLE sign_outs (
    user_id TEXT    PRIMARY KEY NOT NULL,
    at      INTEGER NOT NULL
);

-- Facts about the store itself. `token_key_fingerprint`: an HMAC of a fixed label under the
-- TOKEN_ENCRYPTION_KEY the grants are encrypted with (never the key), so an instance started
-- with another key refuses to start.
CREATE TABLE store_meta (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- An audit row is written before Google is called (outcome `sending`) and completed after.
ALTER TABLE meeting_audit ADD COLUMN finished_at INTEGER;
