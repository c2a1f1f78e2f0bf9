using Cairn.Storage;
using Cairn.Storage.S3;

namespace Cairn.Server;

/// <summary>Where chunk bodies live. Bound from section <c>Storage</c>; switching backends needs no code change.</summary>
public sealed class StorageOptions
{
    /// <summary><c>filesystem</c> (default: blobs under the data directory), <c>s3</c> (gateway mode: an upstream bucket) or <c>memory</c> (tests; lost at exit).</summary>
    public string Backend { get; set; } = "filesystem";

    /// <summary>The upstream bucket when <see cref="Backend"/> is <c>s3</c>.</summary>
    public S3BlobBackendOptions S3 { get; set; } = new();

    /// <summary>Retries of transient upstream failures (throttling, 5xx, timeouts, resets) when <see cref="Backend"/> is <c>s3</c>.</summary>
    public BlobRetryOptions Retry { get; set; } = new();
}
