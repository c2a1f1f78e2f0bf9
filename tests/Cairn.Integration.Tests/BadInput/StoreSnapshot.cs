using System.Globalization;
using Cairn.Core;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// What a request could leave behind (DESIGN invariant 8): the buckets, one bucket's listing, the
/// chunk rows and the blob files on disk. Capture before a bad request, then
/// <see cref="AssertUnchangedAsync"/> after it.
/// </summary>
/// <remarks>
/// Both captures first run the delete-queue sweeper, so a blob an aborted upload wrote and queued
/// counts as reclaimed; a blob still on disk after the sweep is a trace. Each capture also checks
/// that the files under <c>blobs/</c> are exactly the blobs of chunk rows with RefCount &gt; 0 (no
/// orphan, no temp file, no missing blob). That holds on <see cref="BadInputFixture"/>'s server,
/// whose grace period is zero and whose background sweeper is off, so nothing is pending between
/// captures. A test's server-side effects are over once its response has arrived (the error is
/// written after the upload is aborted); when the server answers nothing, wait with
/// <see cref="CompletedRequests"/> first.
/// </remarks>
internal sealed record StoreSnapshot(
    string? Bucket,
    IReadOnlyList<string> Buckets,
    IReadOnlyList<string> Objects,
    IReadOnlyList<string> Chunks,
    IReadOnlyList<string> BlobFiles,
    IReadOnlyList<string> ReferencedBlobs,
    int PendingDeletes)
{
    /// <summary>Sweeps, captures, and asserts the store is consistent (see remarks).</summary>
    public static async Task<StoreSnapshot> CaptureAsync(CairnServer server, string? bucket)
    {
        var snapshot = await CaptureUncheckedAsync(server, bucket);
        snapshot.AssertConsistent();
        return snapshot;
    }

    /// <summary>
    /// Captures again and asserts every part equals this snapshot. Returns how many blobs the sweep
    /// reclaimed since this snapshot: 0 when the request was refused before any blob was written,
    /// more when it failed late and its upload was aborted.
    /// </summary>
    public async Task<int> AssertUnchangedAsync(CairnServer server)
    {
        var after = await CaptureAsync(server, Bucket);
        Assert.Equal(Buckets, after.Buckets);
        Assert.Equal(Objects, after.Objects);
        Assert.Equal(Chunks, after.Chunks);
        Assert.Equal(BlobFiles, after.BlobFiles);
        return after.Reclaimed;
    }

    /// <summary>Waits (up to 10 s) until at least <paramref name="more"/> blob files (not temp files) have appeared since this snapshot.</summary>
    public async Task WaitForNewBlobFilesAsync(CairnServer server, int more)
    {
        int NewFiles() => BlobFilesOnDisk(server).Except(BlobFiles).Count(static f => !f.Contains("/.tmp-", StringComparison.Ordinal));
        for (var attempt = 0; attempt < 200 && NewFiles() < more; attempt++)
        {
            await Task.Delay(50);
        }
        Assert.True(NewFiles() >= more, $"expected {more} new blob files");
    }

    /// <summary>Blobs the sweep run by this capture deleted.</summary>
    private int Reclaimed { get; init; }

    private void AssertConsistent()
    {
        Assert.Equal(ReferencedBlobs, BlobFiles);
        Assert.Equal(0, PendingDeletes);
    }

    private static async Task<StoreSnapshot> CaptureUncheckedAsync(CairnServer server, string? bucket)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = cancel.Token;
        var reclaimed = await server.Services.GetRequiredService<DeleteQueueSweeper>().SweepAllDueAsync(ct);
        var metadata = server.Services.GetRequiredService<MetadataCatalog>();

        var buckets = (await metadata.Buckets.ListBucketsAsync(ct)).Select(static b => $"{b.Name} {b.Region} {b.CreatedAt:O}").ToList();
        var objects = new List<string>();
        if (bucket is not null && await metadata.Buckets.GetBucketAsync(bucket, ct) is not null)
        {
            string? after = null;
            for (var page = 0; page < 100; page++)
            {
                var listing = await metadata.Objects.ListObjectsAsync(bucket, new ListObjectsQuery("", null, after, 1000), ct);
                objects.AddRange(listing.Objects.Select(static o => $"{o.Key} {o.Size} {o.ETag} {o.LastModified:O}"));
                if (!listing.IsTruncated)
                {
                    break;
                }
                after = listing.NextAfter;
            }
        }
        var chunkRows = await metadata.Chunks.ListChunksAsync(ct);
        var chunks = chunkRows.Select(static c => $"{c.Hash} {c.BlobName} {c.Length} {c.RefCount}").Order(StringComparer.Ordinal).ToList();
        var referenced = chunkRows.Where(static c => c.RefCount > 0).Select(static c => c.BlobName).Order(StringComparer.Ordinal).ToList();
        var pending = await metadata.DeleteQueue.CountPendingDeletesAsync(ct);
        return new StoreSnapshot(bucket, buckets, objects, chunks, BlobFilesOnDisk(server), referenced, pending) { Reclaimed = reclaimed };
    }

    /// <summary>Every file under the blob root (temp files included), as blob names with '/' separators, sorted.</summary>
    private static List<string> BlobFilesOnDisk(CairnServer server)
    {
        var root = Path.Combine(server.DataDirectory, "blobs");
        if (!Directory.Exists(root))
        {
            return [];
        }
        return Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Buckets.Count} buckets, {Objects.Count} objects, {Chunks.Count} chunks, {BlobFiles.Count} blob files");
}
