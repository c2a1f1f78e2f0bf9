using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Actions;
using Xunit.Abstractions;
using static Cairn.Integration.Tests.Actions.MultipartTestExtensions;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// Multipart uploads across a SIGKILL of a real server process: parts acknowledged before the kill
/// are kept (each part commits on its own), parts in flight at the kill are not, and after a restart
/// the upload is listed and can be completed byte-exact or aborted. Once the sweeper has run, the
/// blobs on disk are exactly the blobs of referenced chunk rows (<see cref="BlobInventory"/>).
/// </summary>
[Trait("Category", "Crash")]
[Collection(DurabilityCollection.Name)]
public sealed class MultipartCrashTests(ITestOutputHelper output)
{
    private const int ChunkSize = 256 * 1024;
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// As in <see cref="CrashRecoveryTests"/>: a short grace, sweep interval and reservation timeout, so
    /// the restarted server reclaims what the killed parts wrote within seconds. The reservation
    /// deadline is stored by the process that reserved, so the killed process needs it too.
    /// </summary>
    private static readonly string[] ServerArgs =
    [
        "--chunk-size", "256KiB",
        "--Engine:GracePeriod=00:00:01",
        "--Engine:SweepInterval=00:00:01",
        "--Engine:ReservationTimeout=00:00:02",
    ];

    [Fact(Timeout = 60_000)]
    public async Task Multipart_upload_survives_SIGKILL_mid_part_and_completes_byte_exact_or_aborts_leaving_no_blob_behind()
    {
        // Arrange: "kept" gets three 5 MiB parts in parallel, acknowledged, then parts 4 (5 MiB) and
        // 5 (the small last part) are both in flight, half sent, when the server is killed.
        // "aborted" has one acknowledged part and is aborted after the restart.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(55));
        var ct = timeout.Token;
        var bucket = "mpcrash-" + Guid.NewGuid().ToString("N")[..12];
        byte[][] parts = [.. Enumerable.Range(0, 4).Select(static _ => RandomNumberGenerator.GetBytes(MinPartSize)), RandomNumberGenerator.GetBytes(3 * ChunkSize + 11)];
        var abortedBody = RandomNumberGenerator.GetBytes(2 * ChunkSize);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "cairn-tests", "mpcrash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            string kept;
            string aborted;
            string[] acknowledged;

            // Act (1): upload, then kill while parts 4 and 5 are in flight.
            await using (var server = await CairnProcess.StartAsync(dataDirectory, ServerArgs, ct))
            {
                using var s3 = server.CreateClient();
                await s3.PutBucketAsync(bucket, ct);
                kept = (await s3.InitiateMultipartUploadAsync(bucket, "kept", ct)).UploadId;
                aborted = (await s3.InitiateMultipartUploadAsync(bucket, "aborted", ct)).UploadId;
                await s3.UploadPartAsync(PartRequest(bucket, "aborted", aborted, 1, new MemoryStream(abortedBody)), ct);
                acknowledged = await Task.WhenAll(Enumerable.Range(1, 3).Select(async number =>
                    (await s3.UploadPartAsync(PartRequest(bucket, "kept", kept, number, new MemoryStream(parts[number - 1])), ct)).ETag));

                StallingStream[] stalled = [new(parts[3], parts[3].Length / 2), new(parts[4], parts[4].Length / 2)];
                var inFlight = stalled.Select((body, i) => s3.UploadPartAsync(PartRequest(bucket, "kept", kept, 4 + i, body), ct)).ToArray();
                await Task.WhenAll(stalled.Select(static s => s.Reached)).WaitAsync(MaxWait, ct);
                // Kill once the server has stored chunks of the parts in flight that no chunk row names yet.
                var waited = Stopwatch.StartNew();
                while (!(await BlobInventory.ReadAsync(dataDirectory, ct)).Unadopted.Any() && waited.Elapsed < MaxWait)
                {
                    await Task.Delay(10, ct);
                }
                Assert.True((await BlobInventory.ReadAsync(dataDirectory, ct)).Unadopted.Any(), "no chunk of a part in flight reached the disk");
                await server.KillAsync();
                foreach (var body in stalled)
                {
                    body.Release();
                }
                foreach (var part in inFlight)
                {
                    await Assert.ThrowsAnyAsync<Exception>(() => part.WaitAsync(MaxWait, ct));
                }
                output.WriteLine($"killed with parts 4 and 5 in flight: {await BlobInventory.ReadAsync(dataDirectory, ct)}");
            }

            // Act (2) + Assert: restart; both uploads are listed with exactly the acknowledged parts.
            await using (var server = await CairnProcess.StartAsync(dataDirectory, ServerArgs, ct))
            {
                using var s3 = server.CreateClient();
                var uploads = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket }, ct);
                Assert.Equal([$"aborted {aborted}", $"kept {kept}"], uploads.MultipartUploads.Select(static u => $"{u.Key} {u.UploadId}"));
                var keptParts = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "kept", UploadId = kept }, ct);
                Assert.Equal(acknowledged.Select(static (etag, i) => $"{i + 1} {etag} {MinPartSize}"),
                    keptParts.Parts.Select(static p => $"{p.PartNumber} {p.ETag} {p.Size}"));
                Assert.Equal(parts.Take(3).Select(ActionTestExtensions.QuotedMd5), acknowledged);
                var abortedParts = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "aborted", UploadId = aborted }, ct);
                Assert.Equal([$"1 {ActionTestExtensions.QuotedMd5(abortedBody)} {abortedBody.Length}"],
                    abortedParts.Parts.Select(static p => $"{p.PartNumber} {p.ETag} {p.Size}"));

                // The lost parts are sent again, and the upload completes to the whole body.
                var resent = new List<string>();
                foreach (var number in (int[])[4, 5])
                {
                    resent.Add((await s3.UploadPartAsync(PartRequest(bucket, "kept", kept, number, new MemoryStream(parts[number - 1])), ct)).ETag);
                }
                var complete = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = bucket,
                    Key = "kept",
                    UploadId = kept,
                    PartETags = [.. acknowledged.Concat(resent).Select(static (etag, i) => new PartETag(i + 1, etag))],
                }, ct);
                Assert.Equal(MultipartETag(parts), complete.ETag);
                var expectedSha256 = Convert.ToHexStringLower(SHA256.HashData(Concat(parts)));
                Assert.Equal(expectedSha256, await ReadSha256HexAsync(s3, bucket, "kept", ct));

                var abort = await s3.AbortMultipartUploadAsync(bucket, "aborted", aborted, ct);
                Assert.Equal(HttpStatusCode.NoContent, abort.HttpStatusCode);
                Assert.Empty((await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket }, ct)).MultipartUploads ?? []);

                // The sweeper reclaims the parts in flight at the kill (their reservations expire), the
                // aborted upload's part and nothing else.
                var waited = Stopwatch.StartNew();
                var inventory = await BlobInventory.ReadAsync(dataDirectory, ct);
                while (!inventory.IsClean && waited.Elapsed < MaxWait)
                {
                    await Task.Delay(250, ct);
                    inventory = await BlobInventory.ReadAsync(dataDirectory, ct);
                }
                output.WriteLine($"catalog and blobs after {waited.Elapsed.TotalSeconds:F1} s: {inventory}");
                Assert.True(inventory.IsClean, $"the sweeper had not reclaimed everything after {MaxWait.TotalSeconds} s: {inventory}" +
                    Environment.NewLine + server.RecentOutput);
                Assert.Equal(expectedSha256, await ReadSha256HexAsync(s3, bucket, "kept", ct));
            }

            var stopped = await BlobInventory.ReadAsync(dataDirectory, ct);
            Assert.True(stopped.IsClean, stopped.ToString());
            // Only the object's chunks remain: 20 for each 5 MiB part and 4 for the last.
            Assert.Equal(4 * 20 + 4, stopped.Referenced.Count);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory is harmless.
            }
        }
    }

    private static UploadPartRequest PartRequest(string bucket, string key, string uploadId, int partNumber, Stream body) => new()
    {
        BucketName = bucket,
        Key = key,
        UploadId = uploadId,
        PartNumber = partNumber,
        InputStream = body,
    };

    private static async Task<string> ReadSha256HexAsync(AmazonS3Client s3, string bucket, string key, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(bucket, key, cancellationToken);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(response.ResponseStream, cancellationToken));
    }

    /// <summary>
    /// A part body that gives its first <c>stallAt</c> bytes, signals <see cref="Reached"/> and then
    /// blocks until <see cref="Release"/>, after which it fails: a part that stays in flight until
    /// the server is killed.
    /// </summary>
    private sealed class StallingStream(byte[] data, int stallAt) : Stream
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _position;

        public Task Reached => _reached.Task;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => _position = value;
        }

        public void Release() => _released.TrySetResult();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= stallAt)
            {
                _reached.TrySetResult();
                _released.Task.Wait(TimeSpan.FromSeconds(50));
                throw new IOException("The part was held back until the server was killed.");
            }
            var count = (int)Math.Min(buffer.Length, stallAt - _position);
            data.AsSpan((int)_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= stallAt)
            {
                _reached.TrySetResult();
                await _released.Task.WaitAsync(TimeSpan.FromSeconds(50), cancellationToken);
                throw new IOException("The part was held back until the server was killed.");
            }
            return Read(buffer.Span);
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => data.Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
