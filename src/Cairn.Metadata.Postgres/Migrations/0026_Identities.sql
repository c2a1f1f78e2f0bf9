-- Users and their access keys (issue 14). A key's secret is sealed by the engine under a server
-- key (SigV4 needs the secret itself, so it cannot be hashed); the catalog only stores the bytes.
CREATE TABLE users (
    name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    created_at BIGINT NOT NULL
);
-- IAM's names are not told apart by case: "Alice" and "alice" are one user.
CREATE UNIQUE INDEX users_by_lower_name ON users (lower(name));
CREATE TABLE access_keys (
    access_key_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_name TEXT COLLATE "C" NOT NULL REFERENCES users (name),
    secret_sealed BYTEA NOT NULL,
    active INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX access_keys_by_user ON access_keys (user_name, access_key_id);
-- The user owning each bucket; NULL for root's buckets (every bucket made before users existed).
ALTER TABLE buckets ADD COLUMN owner TEXT COLLATE "C";
