// The AWS SDK for JavaScript v3 against Cairn, with its current defaults (CRC32 checksums,
// aws-chunked streaming bodies): @aws-sdk/client-s3 put/get/head/list/delete, and
// @aws-sdk/lib-storage Upload of a 20 MB stream in 5 MiB parts. Every transfer is checked by the
// SHA-256 of the bytes. CAIRN_E2E_SINGLE_PART=1 makes the Upload part size larger than the
// stream, so lib-storage sends one PutObject.
// Usage: node smoke.mjs (expects CAIRN_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand,
  GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  S3Client, paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

const MiB = 1024 * 1024;
const singlePart = process.env.CAIRN_E2E_SINGLE_PART === "1";
const partSize = singlePart ? 64 * MiB : 5 * MiB;
const size = 20 * 1000 * 1000;
const parts = singlePart ? 1 : Math.ceil(size / partSize);
const s3 = new S3Client({
  endpoint: process.env.CAIRN_ENDPOINT,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  },
  maxAttempts: 2,
});
const bucket = "js-" + randomUUID().replaceAll("-", "").slice(0, 12);
const started = Date.now();
const step = (text) => console.log(`step [${Math.round((Date.now() - started) / 1000)}s]: ${text}`);
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const md5 = (bytes) => createHash("md5").update(bytes).digest("hex");
async function sha256Of(key) {
  const hash = createHash("sha256");
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  for await (const chunk of Body) hash.update(chunk);
  return hash.digest("hex");
}

const scratch = mkdtempSync(join(process.env.CAIRN_E2E_TMP || tmpdir(), "cairn-e2e-js-"));
try {
  console.log(`mode: ${singlePart ? "single-part" : "multipart"} (Upload partSize = ${partSize / MiB} MiB)`);

  step("CreateBucket");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new HeadBucketCommand({ Bucket: bucket }));

  step("PutObject / GetObject / HeadObject, SHA-256 compared");
  const body = randomBytes(MiB + 17);
  const put = await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: "a/b c.bin", Body: body, ContentType: "application/x-test", Metadata: { origin: "js" },
  }));
  check(put.ETag === `"${md5(body)}"`, `ETag is the MD5 of the body: ${put.ETag}`);
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "a/b c.bin" }));
  const bytes = await got.Body.transformToByteArray();
  check(sha256(bytes) === sha256(body), "GetObject returns the bytes put");
  check(got.ContentType === "application/x-test", `content type: ${got.ContentType}`);
  check(got.Metadata?.origin === "js", `metadata: ${JSON.stringify(got.Metadata)}`);
  const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "a/b c.bin", Range: "bytes=100-199" }));
  check(Buffer.from(await ranged.Body.transformToByteArray()).equals(body.subarray(100, 200)), "range GET");
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "a/b c.bin" }));
  check(head.ContentLength === body.length, `HEAD content length ${head.ContentLength}`);

  step("PutObject of a stream (aws-chunked with a trailing checksum)");
  const streamed = join(scratch, "streamed.bin");
  const streamedBody = randomBytes(3 * MiB + 5);
  writeFileSync(streamed, streamedBody);
  await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: "streamed.bin", Body: createReadStream(streamed), ContentLength: streamedBody.length,
  }));
  check(await sha256Of("streamed.bin") === sha256(streamedBody), "streamed PutObject bytes");

  step("120 keys, paginateListObjectsV2 in pages of 50, delimiter listing");
  const keys = Array.from({ length: 120 }, (_, i) => `list/${i % 3}/k-${String(i).padStart(4, "0")}`);
  for (let i = 0; i < keys.length; i += 12) {
    await Promise.all(keys.slice(i, i + 12).map((Key) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))));
  }
  const listed = [];
  let pages = 0;
  for await (const page of paginateListObjectsV2({ client: s3, pageSize: 50 }, { Bucket: bucket, Prefix: "list/" })) {
    pages++;
    for (const o of page.Contents ?? []) listed.push(o.Key);
  }
  check(pages === 3, `120 keys in pages of 50 make 3 pages, got ${pages}`);
  check(JSON.stringify(listed) === JSON.stringify([...keys].sort()), "paginated listing is every key once, in order");
  const delimited = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
  check(JSON.stringify((delimited.CommonPrefixes ?? []).map((p) => p.Prefix)) === JSON.stringify(["a/", "list/"]),
    `common prefixes: ${JSON.stringify(delimited.CommonPrefixes)}`);
  check(JSON.stringify((delimited.Contents ?? []).map((o) => o.Key)) === JSON.stringify(["streamed.bin"]),
    "top-level keys");

  step(`lib-storage Upload of a 20 MB stream (${singlePart ? "one PutObject" : `${parts} parts of 5 MiB`})`);
  const big = join(scratch, "big.bin");
  const bigBody = randomBytes(size);
  writeFileSync(big, bigBody);
  const progress = [];
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: "big/upload.bin", Body: createReadStream(big), ContentType: "application/x-big" },
    partSize,
    queueSize: 4,
    leavePartsOnError: false,
  });
  upload.on("httpUploadProgress", (p) => progress.push(p.part));
  const done = await upload.done();
  check(done.Key === "big/upload.bin", `Upload result key: ${JSON.stringify(done.Key)}`);
  const bigHead = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big/upload.bin" }));
  check(bigHead.ContentLength === size, `uploaded length ${bigHead.ContentLength}`);
  check(bigHead.ContentType === "application/x-big", `uploaded content type ${bigHead.ContentType}`);
  if (singlePart) {
    check(!bigHead.ETag.includes("-"), `single-part ETag has no part count: ${bigHead.ETag}`);
  } else {
    check(bigHead.ETag.replaceAll('"', "").endsWith(`-${parts}`), `multipart ETag ends with -${parts}: ${bigHead.ETag}`);
    check(new Set(progress).size === parts, `progress reported ${new Set(progress).size} parts`);
  }
  step("GetObject of the uploaded object, SHA-256 compared");
  check(await sha256Of("big/upload.bin") === sha256(bigBody), "Upload bytes read back");
  const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big/upload.bin", Range: `bytes=${5 * MiB - 8}-${5 * MiB + 7}` }));
  check(Buffer.from(await tail.Body.transformToByteArray()).equals(bigBody.subarray(5 * MiB - 8, 5 * MiB + 8)),
    "range across the first part boundary");

  step("DeleteObject, DeleteObjects, DeleteBucket");
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "a/b c.bin" }));
  const rest = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    for (const o of page.Contents ?? []) rest.push({ Key: o.Key });
  }
  check(rest.length === 122, `keys left before DeleteObjects: ${rest.length}`);
  const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: rest, Quiet: true } }));
  check(!deleted.Errors?.length, `DeleteObjects errors: ${JSON.stringify(deleted.Errors)}`);
  const empty = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  check(empty.KeyCount === 0, `bucket empty, KeyCount ${empty.KeyCount}`);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  let gone = false;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    gone = e.$metadata?.httpStatusCode === 404;
  }
  check(gone, "HeadBucket is 404 after DeleteBucket");
  console.log(`js: all checks passed (${singlePart ? "single-part mode" : "multipart mode"})`);
} catch (e) {
  console.log(`FAILED: ${e.name === "Error" ? "" : e.name + ": "}${e.message}`);
  if (e.$metadata) console.log(`  (HTTP ${e.$metadata.httpStatusCode}, request ${e.$metadata.requestId})`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
