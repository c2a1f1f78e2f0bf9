namespace Cairn.Storage.Tests;

public sealed class InMemoryBlobBackendTests : BlobBackendConformanceTests
{
    protected override ValueTask<IBlobBackend> CreateBackendAsync() => ValueTask.FromResult<IBlobBackend>(new InMemoryBlobBackend());
}
