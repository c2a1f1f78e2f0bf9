using System.Runtime.CompilerServices;

namespace Cairn.Storage.Tests;

/// <summary>
/// The blob store contract through a <see cref="TieredBlobBackend"/> for names under a tier: the
/// suite's names are moved to <c>tiers/cold-1/</c> on the way in and back on the way out, so every
/// call, listing and failure crosses the tier routing in both directions.
/// </summary>
public sealed class TieredBlobBackendTierConformanceTests : BlobBackendConformanceTests
{
    private const string Tier = "Cold_1";

    private static readonly string Prefix = TieredBlobBackend.NameIn(Tier, "x")[..^1];

    protected override int MaxNameLength => BlobName.MaxLength - Prefix.Length;

    protected override ValueTask<IBlobBackend> CreateBackendAsync() =>
        ValueTask.FromResult<IBlobBackend>(new UnderTier(new TieredBlobBackend(new InMemoryBlobBackend(),
            new Dictionary<string, IBlobBackend> { [Tier] = new InMemoryBlobBackend(), ["OTHER"] = new InMemoryBlobBackend() })));

    [Fact]
    public void The_suite_runs_under_the_tiers_segment() => Assert.Equal("tiers/cold-1/", Prefix);

    /// <summary>Adds <see cref="Prefix"/> to every name and prefix, and takes it off every name that comes back.</summary>
    private sealed class UnderTier(TieredBlobBackend tiered) : IBlobBackend
    {
        private static string In(string name) => Prefix + name;

        private static string Out(string name)
        {
            Assert.StartsWith(Prefix, name, StringComparison.Ordinal);
            return name[Prefix.Length..];
        }

        public ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            tiered.PutAsync(In(name), data, cancellationToken);

        public ValueTask<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            tiered.PutIfAbsentAsync(In(name), data, cancellationToken);

        public async ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            try
            {
                return await tiered.ReadAsync(In(name), offset, buffer, cancellationToken);
            }
            catch (BlobNotFoundException ex)
            {
                throw new BlobNotFoundException(Out(ex.Name));
            }
        }

        public ValueTask<long?> GetLengthAsync(string name, CancellationToken cancellationToken) =>
            tiered.GetLengthAsync(In(name), cancellationToken);

        public ValueTask DeleteAsync(string name, CancellationToken cancellationToken) => tiered.DeleteAsync(In(name), cancellationToken);

        public async ValueTask<IReadOnlyList<BlobDeleteFailure>> DeleteManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            var failures = await tiered.DeleteManyAsync(names?.Select(In).ToArray()!, cancellationToken);
            return failures.Select(f => f with { Name = Out(f.Name) }).ToArray();
        }

        public async ValueTask<BlobListPage> ListPageAsync(string prefix, string? startAfter, int maxCount, CancellationToken cancellationToken)
        {
            var page = await tiered.ListPageAsync(In(prefix), string.IsNullOrEmpty(startAfter) ? startAfter : In(startAfter), maxCount,
                cancellationToken);
            return new BlobListPage(page.Entries.Select(e => e with { Name = Out(e.Name) }).ToArray(),
                page.NextStartAfter is null ? null : Out(page.NextStartAfter));
        }

        public ValueTask<string> BeginMultipartAsync(string name, CancellationToken cancellationToken) =>
            tiered.BeginMultipartAsync(In(name), cancellationToken);

        public ValueTask<BlobPart> UploadPartAsync(string name, string uploadId, int partNumber, ReadOnlyMemory<byte> data,
            CancellationToken cancellationToken) =>
            tiered.UploadPartAsync(In(name), uploadId, partNumber, data, cancellationToken);

        public ValueTask CompleteMultipartAsync(string name, string uploadId, IReadOnlyList<BlobPart> parts, CancellationToken cancellationToken) =>
            tiered.CompleteMultipartAsync(In(name), uploadId, parts, cancellationToken);

        public ValueTask AbortMultipartAsync(string name, string uploadId, CancellationToken cancellationToken) =>
            tiered.AbortMultipartAsync(In(name), uploadId, cancellationToken);

        public async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var upload in tiered.ListMultipartUploadsAsync(In(prefix), cancellationToken))
            {
                yield return upload with { Name = Out(upload.Name) };
            }
        }
    }
}
