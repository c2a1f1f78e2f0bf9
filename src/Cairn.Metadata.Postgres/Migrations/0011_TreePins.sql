-- Pins on tree commits: see SQLite migration 0012.
CREATE TABLE tree_pins (
    pin_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    seq BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX tree_pins_bucket ON tree_pins (bucket, seq);
