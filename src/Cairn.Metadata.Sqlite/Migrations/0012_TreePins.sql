-- Pins on tree commits: an export (or any reader of an older commit) pins the commit it reads, so a
-- collection on any node keeps the commit and its blocks until the pin is removed or expires.
CREATE TABLE tree_pins (
    pin_id TEXT NOT NULL PRIMARY KEY,
    bucket TEXT NOT NULL REFERENCES buckets (name),
    seq INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX tree_pins_bucket ON tree_pins (bucket, seq);
