using System.Security.Cryptography;
using Cairn.Storage;

namespace Cairn.TestSupport;

/// <summary>
/// <see cref="MultipartBlobWriter"/> against each backend: the writer only uses the interface, so
/// these cases show that a backend's multipart calls fit together as the writer needs them.
/// </summary>
public abstract partial class BlobBackendConformanceTests
{
    /// <summary>Writes <paramref name="data"/> in slices of <paramref name="sliceSize"/>, so writes straddle part boundaries.</summary>
    private static async Task<long> WriteInSlicesAsync(MultipartBlobWriter writer, byte[] data, int sliceSize)
    {
        for (var offset = 0; offset < data.Length; offset += sliceSize)
        {
            await writer.WriteAsync(data.AsMemory(offset, Math.Min(sliceSize, data.Length - offset)), Ct);
        }
        return await writer.CompleteAsync(Ct);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(MinPart - 1)]
    [InlineData(MinPart)]
    public async Task Writer_of_at_most_one_part_does_a_single_put_and_begins_no_upload(int length)
    {
        // Arrange
        var counting = new CountingBlobBackend(Backend);
        var data = RandomBytes(length);
        await using var writer = new MultipartBlobWriter(counting, "w/one", MinPart);

        // Act
        var written = await WriteInSlicesAsync(writer, data, 1024 * 1024 + 7);

        // Assert
        Assert.Equal(length, written);
        Assert.Null(writer.UploadId);
        Assert.Equal(new Dictionary<BlobOperation, long> { [BlobOperation.Put] = 1 }, counting.Snapshot());
        Assert.Equal(data, await ReadAllAsync("w/one"));
        Assert.Empty(await ListUploadsAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task Writer_of_several_parts_and_a_residual_uploads_each_part_and_completes()
    {
        // Arrange
        var counting = new CountingBlobBackend(Backend);
        var data = RandomBytes(2 * MinPart + 12_345);
        await using var writer = new MultipartBlobWriter(counting, "w/several", MinPart);

        // Act
        var written = await WriteInSlicesAsync(writer, data, 3 * 1024 * 1024 + 1);

        // Assert
        Assert.Equal(data.Length, written);
        Assert.NotNull(writer.UploadId);
        Assert.Equal(new Dictionary<BlobOperation, long>
        {
            [BlobOperation.BeginMultipart] = 1,
            [BlobOperation.UploadPart] = 3,
            [BlobOperation.CompleteMultipart] = 1,
        }, counting.Snapshot());
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await ReadAllAsync("w/several")));
        Assert.Empty(await ListUploadsAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task Writer_of_exactly_two_parts_in_one_write_sends_two_full_parts()
    {
        // Arrange
        var counting = new CountingBlobBackend(Backend);
        var data = RandomBytes(2 * MinPart);
        await using var writer = new MultipartBlobWriter(counting, "w/two", MinPart);

        // Act
        await writer.WriteAsync(data, Ct);
        await writer.CompleteAsync(Ct);

        // Assert
        Assert.Equal(2, counting.Count(BlobOperation.UploadPart));
        Assert.Equal(0, counting.Count(BlobOperation.Put));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await ReadAllAsync("w/two")));
    }

    [Fact(Timeout = Timeout)]
    public async Task Writer_failing_mid_way_aborts_the_upload_and_leaves_nothing()
    {
        // Arrange: the second part fails for good.
        var flaky = new FlakyBlobBackend(Backend).Inject(BlobOperation.UploadPart, BlobFault.OnCall(2, isTransient: false));
        var data = RandomBytes(3 * MinPart + 10);
        var writer = new MultipartBlobWriter(flaky, "w/failed", MinPart);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await WriteInSlicesAsync(writer, data, MinPart / 2));
        await writer.DisposeAsync();

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Equal(1, flaky.CallCount(BlobOperation.AbortMultipart));
        Assert.Null(await Backend.GetLengthAsync("w/failed", Ct));
        Assert.Empty(await ListUploadsAsync(""));
        Assert.Empty(await ListAllAsync(""));
    }

    [Fact(Timeout = Timeout)]
    public async Task Writer_whose_Complete_fails_aborts_the_upload()
    {
        // Arrange
        var flaky = new FlakyBlobBackend(Backend).Inject(BlobOperation.CompleteMultipart, BlobFault.Always(isTransient: true));
        var writer = new MultipartBlobWriter(flaky, "w/no-complete", MinPart);
        await writer.WriteAsync(RandomBytes(MinPart + 1), Ct);

        // Act
        await Assert.ThrowsAsync<BlobBackendException>(async () => await writer.CompleteAsync(Ct));

        // Assert
        Assert.Null(await Backend.GetLengthAsync("w/no-complete", Ct));
        Assert.Empty(await ListUploadsAsync(""));
    }
}
