-- A series split in two (its end, then its continuation) whose second write Google did not
-- take at once, or whose first write's outcome is unknown: any instance finishes it in the
-- background (the continuation written with its fixed id) or, past `give_up_at`, undoes it
-- (the series' end put back). `leased_until` keeps two instances from working on one at once.
CREATE TABLE split_repairs (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      TEXT    NOT NULL,
    audit_id     BIGINT  NOT NULL,
    payload      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    give_up_at   BIGINT  NOT NULL,
    next_at      BIGINT  NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    leased_until BIGINT  NOT NULL DEFAULT 0,
    done_at      BIGINT,
    outcome      TEXT
);
CREATE INDEX split_repairs_due ON split_repairs (done_at, next_at);
