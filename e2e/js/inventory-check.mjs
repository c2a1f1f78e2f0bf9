// An independent check of Cairn's Parquet inventory reports (issue 13) with hyparquet (and
// hyparquet-compressors for ZSTD), sharing no code with Cairn (which writes them with Parquet.Net).
//
//   node inventory-check.mjs SPEC.json   -> prints JSON: what was read (rows, groups, the range read)
//
// SPEC.json: {"dir": directory of the downloaded data files, "files": their names in the manifest's
// order, "bucket": the source bucket, "expected": [{key, version_id, is_latest, is_delete_marker, size,
// e_tag, last_modified_ms}, ...] in report order (keys in UTF-8 byte order), "from", "to": a key range}.
//
// It reads every file whole and checks the rows against "expected" (and the bucket column), and that
// each row group's key statistics (min_value/max_value) are its first and last key. Then it reads the
// range [from, to] as a reader that skips row groups would: each file's footer alone, the row groups
// whose key statistics overlap the range, and only those (rowStart/rowEnd), through a file wrapper that
// logs every byte range read. It checks that at least one row group was skipped, that no byte of a
// skipped group's column chunks was read, and that the rows found in the range are exactly those of the
// whole read that lie in it. Any failure prints the reason and exits 1.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

function fail(message) {
  console.error(`inventory-check: ${message}`);
  process.exit(1);
}

/** S3 lists keys (and Parquet orders byte arrays) in unsigned byte order of their UTF-8, not in JavaScript's UTF-16 order. */
function compareKeys(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const show = value => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));

/** A row as the checks compare it: int64 as a number, the timestamp as epoch milliseconds. */
function normal(row) {
  const out = {};
  for (const [name, value] of Object.entries(row)) {
    if (typeof value === 'bigint') out[name] = Number(value);
    else if (value instanceof Date) out[name] = value.getTime();
    else out[name] = value === undefined ? null : value;
  }
  return out;
}

/** An AsyncBuffer over a local file that logs the byte ranges it is asked for. */
function logged(file, reads) {
  return {
    byteLength: file.byteLength,
    slice(start, end) {
      reads.push([start, end ?? file.byteLength]);
      return file.slice(start, end);
    },
  };
}

/** The footer (metadata) of a Parquet file, read by hand: the last 8 bytes give its length. */
async function footer(file) {
  const tail = new DataView(await file.slice(file.byteLength - 8, file.byteLength));
  if (tail.getUint32(4, true) !== 0x31524150) fail('no PAR1 magic at the end of a data file');
  const length = tail.getUint32(0, true);
  return parquetMetadata(await file.slice(file.byteLength - 8 - length, file.byteLength));
}

/** The byte range of a row group's column chunks (dictionary page, if any, through its last data page). */
function groupBytes(rowGroup) {
  let start = Infinity;
  let end = 0;
  for (const column of rowGroup.columns) {
    const meta = column.meta_data;
    const first = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    start = Math.min(start, first);
    end = Math.max(end, first + Number(meta.total_compressed_size));
  }
  return [start, end];
}

function keyStatistics(rowGroup, where) {
  const column = rowGroup.columns.find(c => c.meta_data.path_in_schema.join('.') === 'key');
  if (!column) fail(`${where}: no key column chunk`);
  const stats = column.meta_data.statistics;
  if (typeof stats?.min_value !== 'string' || typeof stats?.max_value !== 'string') {
    fail(`${where}: the key column has no min_value/max_value statistics: ${show(stats)}`);
  }
  return { min: stats.min_value, max: stats.max_value };
}

const specPath = process.argv[2];
if (!specPath) fail('usage: node inventory-check.mjs SPEC.json');
const spec = JSON.parse(await readFile(specPath, 'utf8'));
const { dir, files, bucket, expected, from, to } = spec;
if (compareKeys(from, to) > 0) fail(`the range [${from}, ${to}] is empty`);
const onDisk = (await readdir(dir)).filter(name => name.endsWith('.parquet')).sort();
if (show(onDisk) !== show([...files].sort())) fail(`the directory holds ${show(onDisk)}, the manifest lists ${show(files)}`);

// 1. Every file read whole, in the manifest's order.
const columnsSeen = new Set();
const all = [];
const groupsOf = [];
let groupCount = 0;
for (const name of files) {
  const file = await asyncBufferFromFile(join(dir, name));
  const metadata = await footer(file);
  const schema = metadata.schema.slice(1).map(s => s.name);
  schema.forEach(c => columnsSeen.add(c));
  const rows = (await parquetReadObjects({ file, metadata, compressors })).map(normal);
  if (rows.length !== Number(metadata.num_rows)) fail(`${name}: read ${rows.length} rows, the footer says ${metadata.num_rows}`);
  let offset = 0;
  const groups = [];
  metadata.row_groups.forEach((rowGroup, index) => {
    const where = `${name} row group ${index}`;
    const count = Number(rowGroup.num_rows);
    const { min, max } = keyStatistics(rowGroup, where);
    const first = rows[offset]?.key;
    const last = rows[offset + count - 1]?.key;
    if (min !== first || max !== last) fail(`${where}: key statistics [${min}, ${max}], rows ${first} .. ${last}`);
    groups.push({ index, rowStart: offset, rowEnd: offset + count, min, max, bytes: groupBytes(rowGroup) });
    offset += count;
  });
  groupCount += groups.length;
  groupsOf.push({ name, file, metadata, groups });
  all.push(...rows);
}
const schemaNames = [...columnsSeen];
const wantColumns = ['bucket', 'key', 'version_id', 'is_latest', 'is_delete_marker', 'size', 'last_modified_date', 'e_tag'];
if (show(schemaNames) !== show(wantColumns)) fail(`columns ${show(schemaNames)}, expected ${show(wantColumns)}`);

// 2. The rows are the listing: same count, same order, same values.
for (let i = 1; i < all.length; i++) {
  if (compareKeys(all[i - 1].key, all[i].key) > 0) fail(`rows not in UTF-8 key order: ${show(all[i - 1].key)} before ${show(all[i].key)}`);
}
const compared = ['key', 'version_id', 'is_latest', 'is_delete_marker', 'size', 'e_tag', 'last_modified_ms'];
const asCompared = row => compared.map(name => (name === 'last_modified_ms' ? row.last_modified_date : row[name]));
const wantRows = expected.map(row => compared.map(name => row[name]));
if (all.length !== expected.length) fail(`the report has ${all.length} rows, the listing ${expected.length}`);
for (let i = 0; i < all.length; i++) {
  if (all[i].bucket !== bucket) fail(`row ${i}: bucket ${show(all[i].bucket)}, expected ${show(bucket)}`);
  if (show(asCompared(all[i])) !== show(wantRows[i])) {
    fail(`row ${i} differs:\n  report  ${show(Object.fromEntries(compared.map((c, j) => [c, asCompared(all[i])[j]])))}\n` +
      `  listing ${show(Object.fromEntries(compared.map((c, j) => [c, wantRows[i][j]])))}`);
  }
}

// 3. The range [from, to], reading only the row groups whose key statistics overlap it.
const inRange = key => compareKeys(key, from) >= 0 && compareKeys(key, to) <= 0;
const found = [];
let groupsRead = 0;
let groupsSkipped = 0;
let bytesRead = 0;
let bytesSkipped = 0;
for (const { name, file, groups } of groupsOf) {
  const reads = [];
  const tracked = logged(file, reads);
  const metadata = await footer(tracked); // a reader of a range starts from the footer alone
  const footerReads = reads.length;
  const selected = groups.filter(g => compareKeys(g.max, from) >= 0 && compareKeys(g.min, to) <= 0);
  const skipped = groups.filter(g => !selected.includes(g));
  groupsRead += selected.length;
  groupsSkipped += skipped.length;
  // Each run of adjacent selected groups is one read of its rows.
  for (let i = 0; i < selected.length;) {
    let j = i;
    while (j + 1 < selected.length && selected[j + 1].index === selected[j].index + 1) j++;
    const rows = await parquetReadObjects({ file: tracked, metadata, compressors, rowStart: selected[i].rowStart, rowEnd: selected[j].rowEnd });
    if (rows.length !== selected[j].rowEnd - selected[i].rowStart) fail(`${name}: rows ${selected[i].rowStart}..${selected[j].rowEnd} read ${rows.length}`);
    found.push(...rows.map(normal).filter(row => inRange(row.key)));
    i = j + 1;
  }
  const dataReads = reads.slice(footerReads);
  for (const g of skipped) {
    const [start, end] = g.bytes;
    const touched = dataReads.find(([s, e]) => s < end && e > start);
    if (touched) fail(`${name}: row group ${g.index} [${g.min} .. ${g.max}] was skipped, yet bytes ${touched[0]}..${touched[1]} of it (${start}..${end}) were read`);
    bytesSkipped += end - start;
  }
  for (const g of selected) {
    const [start, end] = g.bytes;
    if (!dataReads.some(([s, e]) => s < end && e > start)) fail(`${name}: row group ${g.index} was selected but none of its bytes were read`);
  }
  bytesRead += dataReads.reduce((sum, [s, e]) => sum + (e - s), 0);
}
if (groupsSkipped === 0) fail(`the range [${from}, ${to}] skipped no row group (${groupCount} groups): nothing shows skipping`);
if (groupsRead === 0) fail(`the range [${from}, ${to}] selected no row group`);
const wantInRange = all.filter(row => inRange(row.key));
if (wantInRange.length === 0) fail(`no row of the whole read lies in [${from}, ${to}]`);
if (show(found) !== show(wantInRange)) {
  fail(`the range read found ${found.length} rows, the whole read has ${wantInRange.length} in [${from}, ${to}]:\n` +
    `  range ${show(found.map(r => r.key))}\n  whole ${show(wantInRange.map(r => r.key))}`);
}

console.log(show({
  files: files.length,
  rows: all.length,
  groups: groupCount,
  groupRows: groupsOf.flatMap(f => f.groups.map(g => g.rowEnd - g.rowStart)),
  range: { from, to, rows: found.length, groupsRead, groupsSkipped, bytesRead, bytesSkipped },
  rowsRead: all,
}));
