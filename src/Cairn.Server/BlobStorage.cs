using Cairn.Storage;
using Cairn.Storage.S3;

namespace Cairn.Server;

/// <summary>Builds the blob backend that <see cref="StorageOptions"/> selects, with the decorators it needs.</summary>
public static class BlobStorage
{
    /// <summary>
    /// filesystem: <see cref="FileSystemBlobBackend"/> under <c>{data}/blobs</c>. memory:
    /// <see cref="InMemoryBlobBackend"/>. s3: <see cref="S3BlobBackend"/> behind a
    /// <see cref="CountingBlobBackend"/> (every attempt is an upstream request) behind a
    /// <see cref="RetryingBlobBackend"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">An unknown backend or invalid settings.</exception>
    public static IBlobBackend Create(StorageOptions options, string dataDirectory, bool fsyncDirectories)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Backend.Trim().ToLowerInvariant())
        {
            case "filesystem" or "fs" or "":
                return new FileSystemBlobBackend(new FileSystemBlobBackendOptions
                {
                    RootDirectory = Path.Combine(dataDirectory, "blobs"),
                    FsyncDirectories = fsyncDirectories,
                });
            case "memory":
                return new InMemoryBlobBackend();
            case "s3":
                if (string.IsNullOrWhiteSpace(options.S3.Bucket))
                {
                    throw new InvalidOperationException("Storage:S3:Bucket (CAIRN_S3_BUCKET) is required when Storage:Backend is s3.");
                }
                try
                {
                    options.Retry.Validate();
                    return new RetryingBlobBackend(new CountingBlobBackend(new S3BlobBackend(options.S3)), options.Retry);
                }
                catch (ArgumentException ex)
                {
                    throw new InvalidOperationException("Invalid upstream storage settings: " + ex.Message, ex);
                }
            default:
                throw new InvalidOperationException($"Storage:Backend (CAIRN_STORAGE) must be filesystem, s3 or memory (was '{options.Backend}').");
        }
    }

    /// <summary>
    /// A <see cref="TieredBlobBackend"/> over the backend of <see cref="Create(StorageOptions, string, bool)"/>
    /// and one store per tier <paramref name="tiers"/> names (none is allowed: a <c>tiers/</c> name left
    /// in the catalog after its tier was removed from the settings then fails as an unknown tier, kept in
    /// the delete queue, instead of counting as deleted from the hot store), each built as gateway
    /// mode builds its upstream: <c>Retrying(Counting(S3BlobBackend))</c> with <see cref="StorageOptions.Retry"/>.
    /// Nothing is sent to a tier here: a tier that is down at start must not stop the server.
    /// </summary>
    /// <exception cref="InvalidOperationException">Invalid settings, naming the setting: a bad or colliding tier name, a missing bucket, a tier sharing keys with another store.</exception>
    public static IBlobBackend Create(StorageOptions options, IReadOnlyDictionary<string, TierOptions>? tiers, string dataDirectory, bool fsyncDirectories)
    {
        ArgumentNullException.ThrowIfNull(options);
        tiers ??= new Dictionary<string, TierOptions>();
        // Tiers first, all checked before any store exists, so a bad setting leaks no client.
        ValidateTiers(options, tiers);
        var stores = new Dictionary<string, IBlobBackend>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, tier) in tiers)
            {
                stores[name] = new RetryingBlobBackend(new CountingBlobBackend(NewTierStore(name, tier)), options.Retry);
            }
            return new TieredBlobBackend(Create(options, dataDirectory, fsyncDirectories), stores);
        }
        catch
        {
            foreach (var store in stores.Values)
            {
                DisposeLayers(store);
            }
            throw;
        }
    }

    /// <summary>
    /// Disposes, with the host, every layer of a backend the host built itself (the upstream S3
    /// clients, the tiers' included): the container never disposes an instance it was handed ready-made.
    /// </summary>
    internal sealed class Owner(IBlobBackend backend) : IDisposable
    {
        public void Dispose()
        {
            foreach (var layer in Layers(backend).Concat(TierLayers(backend)).ToList())
            {
                (layer as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>
    /// The backend under any decorators, and every decorator on the way (outermost first). Through a
    /// <see cref="TieredBlobBackend"/> it goes on to the hot store: these are the layers the host
    /// prepares and probes at start. <see cref="TierLayers"/> gives the tiers' own.
    /// </summary>
    public static IEnumerable<IBlobBackend> Layers(IBlobBackend backend)
    {
        for (IBlobBackend? layer = backend; layer is not null;
             layer = (layer as DelegatingBlobBackend)?.Inner ?? (layer as TieredBlobBackend)?.Hot)
        {
            yield return layer;
        }
    }

    /// <summary>Every layer of every cold tier in <paramref name="backend"/>'s chain (none without tiers).</summary>
    public static IEnumerable<IBlobBackend> TierLayers(IBlobBackend backend)
    {
        foreach (var tiered in Layers(backend).OfType<TieredBlobBackend>())
        {
            foreach (var tier in tiered.Tiers.Values)
            {
                foreach (var layer in Layers(tier))
                {
                    yield return layer;
                }
            }
        }
    }

    private static void DisposeLayers(IBlobBackend backend)
    {
        foreach (var layer in Layers(backend))
        {
            (layer as IDisposable)?.Dispose();
        }
    }

    private static void ValidateTiers(StorageOptions options, IReadOnlyDictionary<string, TierOptions> tiers)
    {
        foreach (var (name, tier) in tiers)
        {
            if (!TieredBlobBackend.IsValidTierName(name))
            {
                var reason = Reason(() => TieredBlobBackend.SegmentOf(name));
                throw new InvalidOperationException($"Tiers:{name}: {reason}");
            }
            if (string.IsNullOrWhiteSpace(tier.Bucket))
            {
                throw new InvalidOperationException($"Tiers:{name}:Bucket is required: the bucket the tier's chunks go to.");
            }
        }
        if (Reason(() => TieredBlobBackend.ThrowIfInvalidTierNames(tiers.Keys)) is { } collision)
        {
            throw new InvalidOperationException($"Tiers: {collision}");
        }
        if (Reason(options.Retry.Validate) is { } retry)
        {
            throw new InvalidOperationException($"Storage:Retry (used by the tiers too): {retry}");
        }
        ThrowIfKeysOverlap(options, tiers);
    }

    /// <summary>
    /// Two stores in one bucket must keep apart: a key prefix that starts another's would let one
    /// store list, and a sweep delete, what the other holds (the same prefix: the same chunk blobs).
    /// </summary>
    private static void ThrowIfKeysOverlap(StorageOptions options, IReadOnlyDictionary<string, TierOptions> tiers)
    {
        var stores = new List<(string Setting, string Endpoint, string Bucket, string Prefix)>();
        if (options.Backend.Trim().Equals("s3", StringComparison.OrdinalIgnoreCase))
        {
            stores.Add(("Storage:S3", Normalize(options.S3.ServiceUrl), options.S3.Bucket, options.S3.KeyPrefix ?? ""));
        }
        foreach (var (name, tier) in tiers)
        {
            stores.Add(($"Tiers:{name}", Normalize(tier.Endpoint), tier.Bucket, tier.Prefix ?? ""));
        }
        for (var i = 0; i < stores.Count; i++)
        {
            for (var j = i + 1; j < stores.Count; j++)
            {
                var (a, b) = (stores[i], stores[j]);
                if (a.Endpoint == b.Endpoint && string.Equals(a.Bucket, b.Bucket, StringComparison.OrdinalIgnoreCase)
                    && (a.Prefix.StartsWith(b.Prefix, StringComparison.Ordinal) || b.Prefix.StartsWith(a.Prefix, StringComparison.Ordinal)))
                {
                    throw new InvalidOperationException(
                        $"{b.Setting} shares bucket '{b.Bucket}' with {a.Setting} under overlapping prefixes ('{a.Prefix}' and '{b.Prefix}'): one store would see, and delete, the other's blobs. Use another bucket, or prefixes neither of which starts the other.");
                }
            }
        }

        static string Normalize(string? endpoint) => (endpoint ?? "").Trim().TrimEnd('/').ToLowerInvariant();
    }

    private static S3BlobBackend NewTierStore(string name, TierOptions tier) => NewS3Store($"Tiers:{name}", tier);

    /// <summary>
    /// The journal archive's store (issue 13, section <c>Archive</c>, the same keys as a tier's):
    /// <c>Retrying(Counting(S3BlobBackend))</c> with <see cref="StorageOptions.Retry"/>. Nothing is sent
    /// here: an archive that is down at start must not stop the server (its lag says so).
    /// </summary>
    /// <exception cref="InvalidOperationException">Invalid settings, naming the setting.</exception>
    public static IBlobBackend CreateArchive(TierOptions archive, BlobRetryOptions retry)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (string.IsNullOrWhiteSpace(archive.Bucket))
        {
            throw new InvalidOperationException("Archive:Bucket is required: the bucket the journal archive goes to.");
        }
        if (Reason(retry.Validate) is { } invalid)
        {
            throw new InvalidOperationException($"Storage:Retry (used by the archive too): {invalid}");
        }
        return new RetryingBlobBackend(new CountingBlobBackend(NewS3Store("Archive", archive)), retry);
    }

    private static S3BlobBackend NewS3Store(string setting, TierOptions store)
    {
        try
        {
            return new S3BlobBackend(store.ToBackendOptions());
        }
        catch (ArgumentException ex)
        {
            // The backend names its own settings; say them as the operator wrote them.
            var message = ex.Message
                .Replace("S3BlobBackend:ServiceUrl", $"{setting}:Endpoint", StringComparison.Ordinal)
                .Replace("S3BlobBackend:KeyPrefix", $"{setting}:Prefix", StringComparison.Ordinal)
                .Replace("S3BlobBackend:", $"{setting}:", StringComparison.Ordinal);
            throw new InvalidOperationException(message, ex);
        }
    }

    private static string? Reason(Action check)
    {
        try
        {
            check();
            return null;
        }
        catch (ArgumentException ex)
        {
            // ArgumentException appends " (Parameter 'x')", which means nothing to an operator.
            return ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal);
        }
    }
}
