-- Leases for singleton background work (ILeaseStore). Times are the database's clock in unix
-- milliseconds; generation grows at every fresh tenure (a fencing number).
CREATE TABLE leases (
    name TEXT NOT NULL PRIMARY KEY,
    holder TEXT NOT NULL,
    generation INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
