namespace Cairn.Storage.S3;

/// <summary>Settings of <see cref="S3BlobBackend"/>, bound from section <c>S3BlobBackend</c>.</summary>
public sealed class S3BlobBackendOptions
{
    /// <summary>
    /// The upstream's endpoint, e.g. <c>http://127.0.0.1:9000</c> or <c>https://s3.eu-central-1.amazonaws.com</c>.
    /// Empty (the default) means AWS S3 in <see cref="Region"/>.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The region requests are signed for. Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The bucket holding the blobs; it must exist. Required, no default.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>
    /// Prepended to every blob name to form the object key, e.g. <c>cairn/</c>; empty by default. At most
    /// <see cref="S3BlobBackend.MaxKeyPrefixBytes"/> UTF-8 bytes of S3's safe characters, so that every
    /// key stays within S3's 1,024 bytes.
    /// </summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// Address the bucket in the path (<c>http://host/bucket/key</c>) instead of the host name. Needed by
    /// most self-hosted stores (MinIO, Ceph, moto, Cairn) and by IP endpoints. Default false.
    /// </summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Access key id. Leave both keys empty to use the SDK's default credential chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key; set together with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// The S3 storage class of every object written (PutObject and CreateMultipartUpload send it as
    /// <c>x-amz-storage-class</c>), e.g. <c>GLACIER_IR</c> or <c>STANDARD_IA</c> on AWS for a cold tier.
    /// Null or empty (the default) sends none: the bucket's default class. Classes whose objects need a
    /// restore before they can be read (<c>GLACIER</c>, <c>DEEP_ARCHIVE</c>) are refused, since every
    /// read of a blob there would fail.
    /// </summary>
    public string? StorageClass { get; set; }

    /// <summary>Longest time one request may take, body included, before it fails as transient. Default 2 minutes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
