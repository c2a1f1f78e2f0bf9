namespace Cairn.Core;

/// <summary>The checksum algorithms S3 accepts in <c>x-amz-checksum-*</c> headers and trailers.</summary>
/// <remarks>https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html</remarks>
public enum ChecksumAlgorithm
{
    /// <summary>CRC-32 (IEEE 802.3, the zlib/gzip one).</summary>
    Crc32,
    /// <summary>CRC-32C (Castagnoli, iSCSI).</summary>
    Crc32C,
    /// <summary>CRC-64/NVME (NVM Express; polynomial 0xAD93D23594C93659, reflected).</summary>
    Crc64Nvme,
    /// <summary>SHA-1.</summary>
    Sha1,
    /// <summary>SHA-256.</summary>
    Sha256,
}
