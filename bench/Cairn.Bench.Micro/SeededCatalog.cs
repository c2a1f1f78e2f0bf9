using System.Globalization;
using System.Security.Cryptography;
using Cairn.Core;
using Cairn.Metadata.Sqlite;
using Cairn.Metadata;

namespace Cairn.Bench.Micro;

/// <summary>
/// A <see cref="SqliteMetadataStore"/> over a database file in a fresh temporary directory, holding
/// one bucket of small inline objects. The store runs with its shipped settings (WAL,
/// <c>synchronous=FULL</c>), so commits pay a real fsync.
/// </summary>
internal sealed class SeededCatalog : IAsyncDisposable
{
    public const string Bucket = "media";

    /// <summary>Body size of every object: small enough to live inline in its metadata row (Engine:InlineThreshold is 4 KiB).</summary>
    public const int BodySize = 1024;

    public static readonly TimeSpan GracePeriod = TimeSpan.FromHours(1);

    private static readonly byte[] Body = CreateBody();
    private static readonly string BodyETag = Convert.ToHexStringLower(MD5.HashData(Body));

    private readonly string _directory;

    private SeededCatalog(SqliteMetadataStore store, string directory)
    {
        Store = store;
        _directory = directory;
    }

    public SqliteMetadataStore Store { get; }

    /// <summary>The key of the <paramref name="index"/>th seeded object.</summary>
    public static string KeyOf(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"photos/2024/{(index % 12) + 1:D2}/img-{index:D6}.jpg");

    /// <summary>A small object as a PUT of 1 KiB leaves it: inline body, content type, one user metadata entry, the default checksum.</summary>
    public static ObjectVersionRecord SmallObject(string key, DateTimeOffset lastModified) => new()
    {
        Bucket = Bucket,
        Key = key,
        Size = Body.Length,
        ETag = BodyETag,
        LastModified = lastModified,
        Headers = new ContentHeaders(ContentType: "image/jpeg"),
        UserMetadata = new Dictionary<string, string> { ["camera"] = "bench-cam" },
        Checksums = new Dictionary<string, string> { ["CRC64NVME"] = "AAAAAAAAAAA=" },
        InlineBody = Body,
    };

    /// <summary>Creates the database with <paramref name="objectCount"/> objects (<see cref="KeyOf"/> 0 to count - 1) and opens it.</summary>
    public static async Task<SeededCatalog> CreateAsync(int objectCount)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cairn-bench-micro-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "catalog.db");
        await FillAsync(path, objectCount);

        var store = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = path });
        await store.MigrateAsync(CancellationToken.None);
        return new SeededCatalog(store, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// Commits the objects one by one through the public API. Each commit fsyncs, so 10,000 of them
    /// on this disk would take most of a minute before the first measurement; on Linux the database is
    /// filled in tmpfs (/dev/shm), where fsync costs nothing, and then moved next to where it is used.
    /// </summary>
    private static async Task FillAsync(string path, int objectCount)
    {
        const string Tmpfs = "/dev/shm";
        var fillPath = OperatingSystem.IsLinux() && Directory.Exists(Tmpfs)
            ? Path.Combine(Tmpfs, "cairn-bench-micro-" + Guid.NewGuid().ToString("N") + ".db")
            : path;
        var now = DateTimeOffset.UtcNow;
        await using (var store = new SqliteMetadataStore(new SqliteMetadataOptions { DatabasePath = fillPath }))
        {
            await store.MigrateAsync(CancellationToken.None);
            await store.TryCreateBucketAsync(new BucketRecord(Bucket, now, "us-east-1"), CancellationToken.None);
            for (var i = 0; i < objectCount; i++)
            {
                var outcome = await store.CommitObjectAsync(
                    new ObjectCommit(null, SmallObject(KeyOf(i), now), WritePrecondition.None), now, GracePeriod, CancellationToken.None);
                if (outcome != CommitOutcome.Committed)
                {
                    throw new InvalidOperationException($"Seeding object {i} failed: {outcome}.");
                }
            }
        }
        if (fillPath != path)
        {
            // Closing the last connection checkpoints the WAL into the main file; move a leftover WAL too, just in case.
            File.Move(fillPath, path);
            if (File.Exists(fillPath + "-wal"))
            {
                File.Move(fillPath + "-wal", path + "-wal");
            }
            File.Delete(fillPath + "-shm");
        }
    }

    private static byte[] CreateBody()
    {
        var body = new byte[BodySize];
        new Random(7).NextBytes(body);
        return body;
    }
}
