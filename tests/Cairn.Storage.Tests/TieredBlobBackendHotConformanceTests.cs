namespace Cairn.Storage.Tests;

/// <summary>The blob store contract through a <see cref="TieredBlobBackend"/> for names outside <c>tiers/</c>: the hot store's.</summary>
public sealed class TieredBlobBackendHotConformanceTests : BlobBackendConformanceTests
{
    protected override ValueTask<IBlobBackend> CreateBackendAsync() =>
        ValueTask.FromResult<IBlobBackend>(new TieredBlobBackend(new InMemoryBlobBackend(),
            new Dictionary<string, IBlobBackend> { ["COLD"] = new InMemoryBlobBackend() }));
}
