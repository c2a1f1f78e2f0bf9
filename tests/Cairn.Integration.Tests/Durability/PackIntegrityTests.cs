using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Engine.Packs;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// DESIGN invariant 3 for packed chunks (issue 12): a pack blob that is missing or cut short makes
/// a GET fail loudly, 500 InternalError with the chunk's address in the server's log, never a short
/// or empty body.
/// </summary>
public sealed class PackIntegrityTests
{
    [Fact(Timeout = 60_000)]
    public async Task GetObject_of_a_packed_object_whose_pack_is_missing_returns_500_and_logs_the_chunk_address()
    {
        await using var packed = await PackedObjectAsync();
        File.Delete(packed.PackFile);

        await packed.AssertGetFailsLoudlyAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task GetObject_of_a_packed_object_whose_pack_is_cut_short_returns_500_and_logs_the_chunk_address()
    {
        await using var packed = await PackedObjectAsync();
        await using (var file = new FileStream(packed.PackFile, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(packed.Placement.Offset + 100);
        }

        await packed.AssertGetFailsLoudlyAsync();
    }

    /// <summary>A server that packs small chunks, holding one 8 KiB object whose pack is shipped to the blob store.</summary>
    private static async Task<PackedObject> PackedObjectAsync()
    {
        var logs = new CapturingLoggerProvider();
        var server = await CairnServer.StartAsync(["--Engine:PackThreshold=64KiB", "--Engine:InlineThreshold=4KiB"], services => services.AddSingleton<ILoggerProvider>(logs));
        var bucket = CairnServer.NewBucketName("packed");
        await server.Client.PutBucketAsync(bucket);
        await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(8192)) });
        var packs = server.Services.GetRequiredService<PackWriter>();
        await packs.SealOpenPackAsync(CancellationToken.None);
        await packs.SealAndShipDueAsync(CancellationToken.None);

        var metadata = server.Services.GetRequiredService<MetadataCatalog>();
        var chunk = Assert.Single((await metadata.Objects.GetObjectAsync(bucket, "k", CancellationToken.None))!.Chunks);
        var placement = (await metadata.Chunks.LocateChunksAsync([chunk.Hash], CancellationToken.None))[chunk.Hash];
        Assert.NotNull(placement.PackId);
        Assert.Equal(PackState.Stored, (await metadata.Packs.ListPacksAsync(CancellationToken.None)).Single(p => p.Id == placement.PackId).State);
        var file = Path.Combine(server.DataDirectory, "blobs", placement.BlobName);
        Assert.True(File.Exists(file), file);
        return new PackedObject(server, logs, bucket, chunk.Hash.ToString(), placement, file);
    }

    private sealed record PackedObject(CairnServer Server, CapturingLoggerProvider Logs, string Bucket, string ChunkAddress, ChunkPlacement Placement,
        string PackFile) : IAsyncDisposable
    {
        public async Task AssertGetFailsLoudlyAsync()
        {
            var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => Server.Client.GetObjectAsync(Bucket, "k"));

            Assert.Equal((HttpStatusCode.InternalServerError, "InternalError"), (error.StatusCode, error.ErrorCode));
            Assert.Contains(Logs.Errors, line => line.Contains(ChunkAddress, StringComparison.Ordinal) && line.Contains(Placement.BlobName, StringComparison.Ordinal));
        }

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    /// <summary>Keeps the errors the server logs, each with its exception's messages.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _errors = new();

        public IReadOnlyCollection<string> Errors => _errors;

        public ILogger CreateLogger(string categoryName) => new Logger(_errors);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    errors.Enqueue(formatter(state, exception) + " " + exception);
                }
            }
        }
    }
}
