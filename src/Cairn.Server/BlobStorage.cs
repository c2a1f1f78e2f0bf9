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
    /// Disposes, with the host, every layer of a backend the host built itself (the upstream S3
    /// client): the container never disposes an instance it was handed ready-made.
    /// </summary>
    internal sealed class Owner(IBlobBackend backend) : IDisposable
    {
        public void Dispose()
        {
            foreach (var layer in Layers(backend))
            {
                (layer as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>The backend under any decorators, and every decorator on the way (outermost first).</summary>
    public static IEnumerable<IBlobBackend> Layers(IBlobBackend backend)
    {
        for (IBlobBackend? layer = backend; layer is not null; layer = (layer as DelegatingBlobBackend)?.Inner)
        {
            yield return layer;
        }
    }
}
