namespace Cairn.Core;

/// <summary>Wire names, header names and digest sizes of each <see cref="ChecksumAlgorithm"/>.</summary>
public static class ChecksumAlgorithms
{
    /// <summary>Every algorithm, in declaration order.</summary>
    public static IReadOnlyList<ChecksumAlgorithm> All { get; } =
    [
        ChecksumAlgorithm.Crc32,
        ChecksumAlgorithm.Crc32C,
        ChecksumAlgorithm.Crc64Nvme,
        ChecksumAlgorithm.Sha1,
        ChecksumAlgorithm.Sha256,
    ];

    /// <summary>
    /// The name used in <c>x-amz-checksum-algorithm</c>, <c>x-amz-sdk-checksum-algorithm</c> and in XML
    /// (<c>CRC32</c>, <c>CRC32C</c>, <c>CRC64NVME</c>, <c>SHA1</c>, <c>SHA256</c>).
    /// </summary>
    public static string WireName(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "CRC32",
        ChecksumAlgorithm.Crc32C => "CRC32C",
        ChecksumAlgorithm.Crc64Nvme => "CRC64NVME",
        ChecksumAlgorithm.Sha1 => "SHA1",
        ChecksumAlgorithm.Sha256 => "SHA256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>The lower-case header (and trailer) carrying the value, e.g. <c>x-amz-checksum-crc32</c>.</summary>
    public static string HeaderName(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "x-amz-checksum-crc32",
        ChecksumAlgorithm.Crc32C => "x-amz-checksum-crc32c",
        ChecksumAlgorithm.Crc64Nvme => "x-amz-checksum-crc64nvme",
        ChecksumAlgorithm.Sha1 => "x-amz-checksum-sha1",
        ChecksumAlgorithm.Sha256 => "x-amz-checksum-sha256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>Length in bytes of the digest (4, 4, 8, 20, 32); the base64 form encodes these bytes.</summary>
    public static int DigestLength(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C => 4,
        ChecksumAlgorithm.Crc64Nvme => 8,
        ChecksumAlgorithm.Sha1 => 20,
        ChecksumAlgorithm.Sha256 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>Parses a wire name, ignoring case.</summary>
    public static bool TryParseWireName(string? value, out ChecksumAlgorithm algorithm)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(value, WireName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }
        algorithm = default;
        return false;
    }

    /// <summary>Parses a header name such as <c>X-Amz-Checksum-CRC32</c>, ignoring case.</summary>
    public static bool TryParseHeaderName(string? value, out ChecksumAlgorithm algorithm)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(value, HeaderName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }
        algorithm = default;
        return false;
    }
}
