// An independent check of a Cairn bucket export (issue 11), with the IPLD reference libraries for
// JavaScript (@ipld/car, @ipld/dag-cbor, multiformats), sharing no code with Cairn.
//
//   node car-check.mjs FILE.car   -> prints JSON: the commit and, per key, its versions newest first
//
// It checks that every block's CID is the CIDv1 multiformats computes from the block's bytes
// (sha2-256), that every DAG-CBOR block re-encodes with @ipld/dag-cbor to exactly its bytes and so
// to its CID (the decoder accepts unsorted maps; the encoder does not write them), that the file's
// single root is a commit {bucket, data, format, prev, seq, time}, that the tree's node entries
// expand (prefix + suffix) to keys in strictly increasing byte order, that each value is a manifest
// of that key whose previous links reach manifests of the same key, that every body chunk is a raw
// block of the stated length whose SHA-256 is its CID's digest, and that every block in the file was
// reached. Any failure prints the reason and exits 1.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { CarReader } from '@ipld/car';
import { CID } from 'multiformats/cid';
import * as dagCbor from '@ipld/dag-cbor';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';

function fail(message) {
  console.error(`car-check: ${message}`);
  process.exit(1);
}

const path = process.argv[2];
if (!path) fail('usage: node car-check.mjs FILE.car');

const reader = await CarReader.fromBytes(await readFile(path));
const roots = await reader.getRoots();
if (roots.length !== 1) fail(`expected one root, found ${roots.length}`);

const blocks = new Map();
let dagCborBlocks = 0;
let rawBlocks = 0;
let reencoded = 0;
for await (const { cid, bytes } of reader.blocks()) {
  if (cid.version !== 1) fail(`block ${cid} has a CIDv${cid.version}`);
  const digest = await sha256.digest(bytes);
  if (cid.multihash.code !== sha256.code || Buffer.compare(Buffer.from(digest.digest), Buffer.from(cid.multihash.digest)) !== 0) {
    fail(`block ${cid} does not hash to its CID`);
  }
  if (!CID.createV1(cid.code, digest).equals(cid)) fail(`block ${cid} is not the CID of its bytes`);
  if (cid.code === dagCbor.code) {
    // Decode, encode again, and compare both the bytes and the CID of the new bytes with the file's.
    const again = dagCbor.encode(dagCbor.decode(bytes));
    if (Buffer.compare(Buffer.from(again), Buffer.from(bytes)) !== 0) fail(`block ${cid} is not canonical DAG-CBOR`);
    if (!CID.createV1(dagCbor.code, await sha256.digest(again)).equals(cid)) fail(`block ${cid} re-encodes to another CID`);
    reencoded++;
    dagCborBlocks++;
  } else if (cid.code === raw.code) {
    rawBlocks++;
  } else {
    fail(`block ${cid} has codec 0x${cid.code.toString(16)}`);
  }
  if (blocks.has(cid.toString())) fail(`block ${cid} is in the file twice`);
  blocks.set(cid.toString(), bytes);
}

const reached = new Set();
function get(cid, codec) {
  if (cid === null || cid === undefined) fail('a link is missing');
  if (cid.code !== codec) fail(`${cid} has codec 0x${cid.code.toString(16)}, expected 0x${codec.toString(16)}`);
  const bytes = blocks.get(cid.toString());
  if (!bytes) fail(`block ${cid} is not in the file`);
  reached.add(cid.toString());
  return codec === dagCbor.code ? dagCbor.decode(bytes) : bytes;
}

const commitCid = roots[0];
const commit = get(commitCid, dagCbor.code);
const commitFields = Object.keys(commit).sort().join(',');
if (commitFields !== 'bucket,data,format,prev,seq,time' || commit.format !== 1) fail(`the root is not a commit: ${commitFields}`);

const keys = [];
let previousKey = null;
let manifests = 0;
let chunks = 0;
let bodyBytes = 0;
function walk(nodeCid) {
  const node = get(nodeCid, dagCbor.code);
  if (Object.keys(node).sort().join(',') !== 'e,l') fail(`node ${nodeCid} is not an MST node`);
  if (node.l) walk(node.l);
  let last = new Uint8Array(0);
  for (const entry of node.e) {
    if (Object.keys(entry).sort().join(',') !== 'k,p,t,v') fail(`node ${nodeCid} has a malformed entry`);
    const key = Buffer.concat([Buffer.from(last.subarray(0, entry.p)), Buffer.from(entry.k)]);
    last = key;
    if (previousKey !== null && Buffer.compare(previousKey, key) >= 0) fail(`keys out of order at ${key.toString('utf8')}`);
    previousKey = key;
    keys.push({ key: key.toString('utf8'), versions: versionsOf(entry.v, key.toString('utf8')) });
    if (entry.t) walk(entry.t);
  }
}

function versionsOf(manifestCid, key) {
  const versions = [];
  const seen = new Set();
  for (let link = manifestCid; link; ) {
    if (seen.has(link.toString())) fail(`the version chain of ${key} loops`);
    seen.add(link.toString());
    const manifest = get(link, dagCbor.code);
    manifests++;
    if (manifest.format !== 1 || manifest.key !== key) fail(`manifest ${link} is not a manifest of ${key}`);
    const hash = createHash('sha256');
    let total = 0;
    for (const chunk of manifest.body) {
      const bytes = get(chunk.cid, raw.code);
      if (bytes.length !== chunk.length) fail(`chunk ${chunk.cid} of ${key} has ${bytes.length} bytes, the manifest says ${chunk.length}`);
      const chunkDigest = createHash('sha256').update(bytes).digest();
      if (Buffer.compare(chunkDigest, Buffer.from(chunk.cid.multihash.digest)) !== 0) fail(`chunk ${chunk.cid} of ${key} does not hash to its CID`);
      hash.update(bytes);
      total += bytes.length;
      chunks++;
    }
    if (total !== manifest.size) fail(`the body of ${key} ${manifest.versionId} has ${total} bytes, the manifest says ${manifest.size}`);
    bodyBytes += total;
    versions.push({
      versionId: manifest.versionId,
      etag: manifest.etag,
      size: manifest.size,
      deleteMarker: manifest.deleteMarker,
      sha256: manifest.deleteMarker ? null : hash.digest('hex'),
      metadata: manifest.metadata,
      tags: manifest.tags,
    });
    link = manifest.previous;
  }
  return versions;
}

walk(commit.data);
for (const cid of blocks.keys()) {
  if (!reached.has(cid)) fail(`block ${cid} is not reachable from the commit`);
}

console.log(JSON.stringify({
  commit: commitCid.toString(),
  bucket: commit.bucket,
  seq: commit.seq,
  root: commit.data.toString(),
  blocks: blocks.size,
  dagCborBlocks,
  reencoded,
  rawBlocks,
  manifests,
  chunks,
  bodyBytes,
  keys,
}));
