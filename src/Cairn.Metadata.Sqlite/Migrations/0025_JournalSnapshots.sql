-- Catalog snapshots in the journal archive (issue 13): the journal number of the bucket's newest
-- snapshot whose upload is confirmed, when it was read and how many versions it holds. A restore
-- starts from a snapshot and replays only the segments after it; the archiver takes the next one
-- when the entries since outnumber the versions it holds (so a snapshot's cost is paid by as much
-- replay saved), or a day after it.
ALTER TABLE journal_archive ADD COLUMN snapshot_seq INTEGER;
ALTER TABLE journal_archive ADD COLUMN snapshot_at INTEGER;
ALTER TABLE journal_archive ADD COLUMN snapshot_versions INTEGER;
