namespace Cairn.Storage.Tests;

public sealed class InMemoryBlobBackendTests : BlobBackendConformanceTests
{
    protected override IBlobBackend CreateBackend() => new InMemoryBlobBackend();
}
