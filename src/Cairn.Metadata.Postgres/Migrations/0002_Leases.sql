-- Leases for singleton background work (ILeaseStore). Times are the database's clock in unix
-- milliseconds; generation grows at every fresh tenure (a fencing number).
CREATE TABLE leases (
    name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    holder TEXT COLLATE "C" NOT NULL,
    generation BIGINT NOT NULL,
    acquired_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
