using Cairn.Storage.S3;

namespace Cairn.Server;

/// <summary>
/// One named cold tier (issue 13): an S3-compatible bucket that lifecycle Transitions move chunk
/// bodies to, named by the Transition's StorageClass. Bound from section <c>Tiers:&lt;NAME&gt;</c> (a
/// dictionary of these by name, <see cref="BlobStorage.Create(StorageOptions, IReadOnlyDictionary{string, TierOptions}?, string, bool)"/>);
/// from the environment as <c>Tiers__&lt;NAME&gt;__Bucket</c> and so on. The tier's bucket holds
/// <c>&lt;Prefix&gt;chunks/...</c>, as a gateway bucket does.
/// </summary>
public sealed class TierOptions
{
    /// <summary>The S3 endpoint, e.g. <c>https://s3.eu-central-1.amazonaws.com</c> or <c>http://127.0.0.1:9100</c>. Empty (the default) means AWS S3 in <see cref="Region"/>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The region requests are signed for. Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The bucket holding the tier's blobs; it must exist. Required, no default.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>Prepended to every blob name to form the object key, e.g. <c>cairn-cold/</c>. Empty by default.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Access key id. Leave both keys empty to use the AWS SDK's default credential chain.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key; set together with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Path-style addressing (<c>http://host/bucket/key</c>), as most self-hosted stores need (MinIO, Ceph, Cairn). Default false.</summary>
    public bool PathStyle { get; set; }

    /// <summary>
    /// The S3 storage class objects are written with, e.g. <c>GLACIER_IR</c> or <c>STANDARD_IA</c> on AWS.
    /// Empty (the default) leaves the bucket's default. Classes that need a restore before a read
    /// (<c>GLACIER</c>, <c>DEEP_ARCHIVE</c>) are refused: Cairn reads a tier's blobs directly.
    /// </summary>
    public string? StorageClass { get; set; }

    /// <summary>The settings of the tier's <see cref="S3BlobBackend"/>.</summary>
    public S3BlobBackendOptions ToBackendOptions() => new()
    {
        ServiceUrl = Endpoint,
        Region = Region,
        Bucket = Bucket,
        KeyPrefix = Prefix,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        ForcePathStyle = PathStyle,
        StorageClass = StorageClass,
    };
}
