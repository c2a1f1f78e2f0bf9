using System.Buffers.Binary;
using System.Globalization;

namespace Cairn.Core;

/// <summary>
/// The object checksum of a multipart upload, computed from its parts' checksums: the
/// <c>x-amz-checksum-type</c> values <see cref="Composite"/> and <see cref="FullObject"/>.
/// </summary>
/// <remarks>
/// <para>
/// AWS S3 User Guide, "Checking object integrity" (checking-object-integrity.html and
/// checking-object-integrity-upload.html, section on multipart uploads):
/// </para>
/// <list type="bullet">
/// <item><b>COMPOSITE</b> ("checksum of checksums"): the algorithm applied to the concatenation of the
/// parts' raw digests in part-number order, base64, then <c>-N</c> with N the part count, as the
/// multipart ETag is built from the parts' MD5s. Supported for CRC32, CRC32C, SHA1 and SHA256. Example
/// from the AWS CLI tutorial in the user guide (3 parts):
/// <c>"ChecksumSHA256": "aI8EoktCdotjU8Bq46DrPCxQCGuGcPIhJ51noWs6hvk=-3"</c> next to
/// <c>"ETag": "\"f453c6dccca969c457efdf9b1361e291-3\""</c>. CompleteMultipartUpload, HeadObject and
/// GetObject carry the suffix; GetObjectAttributes sends the same value without it (captures from real
/// S3 in floci-io/floci#3083; the user guide's SHA-256 validation sample compares the bare
/// checksum-of-checksums with GetObjectAttributes).</item>
/// <item><b>FULL_OBJECT</b>: the CRC of the whole object, with no suffix. Only CRC64NVME, CRC32 and
/// CRC32C, "because they can linearize into a full object checksum", which lets S3 (and us) derive it
/// from the part CRCs and lengths (<see cref="CrcCombine"/>).</item>
/// </list>
/// <para>
/// Defaults (<see cref="DefaultType"/>): CRC64NVME supports FULL_OBJECT only; SHA1 and SHA256 COMPOSITE
/// only; CRC32 and CRC32C default to COMPOSITE and give FULL_OBJECT when CreateMultipartUpload sends
/// <c>x-amz-checksum-type: FULL_OBJECT</c>. An upload created with no algorithm gets the default
/// CRC64NVME, FULL_OBJECT. (User guide table of algorithms per checksum type; behaviour verified
/// against real S3 in floci-io/floci#3093.)
/// </para>
/// </remarks>
public static class MultipartChecksum
{
    /// <summary>The <c>COMPOSITE</c> checksum type: a checksum of the part checksums, suffixed <c>-N</c>.</summary>
    public const string Composite = "COMPOSITE";

    /// <summary>The <c>FULL_OBJECT</c> checksum type: the checksum of the whole object's bytes.</summary>
    public const string FullObject = "FULL_OBJECT";

    /// <summary>True when S3 supports <paramref name="checksumType"/> (exact wire spelling) for <paramref name="algorithm"/>.</summary>
    public static bool IsSupported(ChecksumAlgorithm algorithm, string? checksumType) => checksumType switch
    {
        Composite => algorithm is ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Sha1 or ChecksumAlgorithm.Sha256,
        FullObject => algorithm is ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Crc64Nvme,
        _ => false,
    };

    /// <summary>
    /// The type a multipart upload gets when CreateMultipartUpload names <paramref name="algorithm"/> but no
    /// <c>x-amz-checksum-type</c>: FULL_OBJECT for CRC64NVME, COMPOSITE for the others.
    /// </summary>
    public static string DefaultType(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc64Nvme => FullObject,
        ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Sha1 or ChecksumAlgorithm.Sha256 => Composite,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>
    /// The object checksum, as S3 returns it from CompleteMultipartUpload, of parts with the given base64
    /// checksums and lengths in part order; null when <paramref name="checksumType"/> is not supported for
    /// <paramref name="algorithm"/>. Lengths matter only for FULL_OBJECT.
    /// </summary>
    /// <exception cref="ArgumentException">No parts, a negative length, or a part value that is not the
    /// base64 of a digest of the algorithm's length.</exception>
    public static string? Combine(ChecksumAlgorithm algorithm, string checksumType, IReadOnlyList<(string Base64, long Length)> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (!IsSupported(algorithm, checksumType))
        {
            return null;
        }
        if (parts.Count == 0)
        {
            throw new ArgumentException("A multipart upload has at least one part.", nameof(parts));
        }
        return checksumType == FullObject ? CombineFullObject(algorithm, parts) : CombineComposite(algorithm, parts);
    }

    private static string CombineComposite(ChecksumAlgorithm algorithm, IReadOnlyList<(string Base64, long Length)> parts)
    {
        using var checksum = IncrementalChecksum.Create(algorithm);
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < parts.Count; i++)
        {
            checksum.Append(Decode(algorithm, parts[i].Base64, digest));
        }
        return checksum.GetBase64AndReset() + "-" + parts.Count.ToString(CultureInfo.InvariantCulture);
    }

    private static string CombineFullObject(ChecksumAlgorithm algorithm, IReadOnlyList<(string Base64, long Length)> parts)
    {
        Span<byte> digest = stackalloc byte[32];
        // The CRC of nothing is 0 for all three, and combining onto 0 gives the first part's CRC.
        var crc = 0ul;
        for (var i = 0; i < parts.Count; i++)
        {
            var (base64, length) = parts[i];
            if (length < 0)
            {
                throw new ArgumentException($"Part {i + 1} has a negative length.", nameof(parts));
            }
            var value = Decode(algorithm, base64, digest);
            crc = algorithm switch
            {
                ChecksumAlgorithm.Crc32 => CrcCombine.Crc32((uint)crc, BinaryPrimitives.ReadUInt32BigEndian(value), length),
                ChecksumAlgorithm.Crc32C => CrcCombine.Crc32C((uint)crc, BinaryPrimitives.ReadUInt32BigEndian(value), length),
                _ => CrcCombine.Crc64Nvme(crc, BinaryPrimitives.ReadUInt64BigEndian(value), length),
            };
        }
        var digestLength = ChecksumAlgorithms.DigestLength(algorithm);
        if (digestLength == 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest, (uint)crc);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(digest, crc);
        }
        return Convert.ToBase64String(digest[..digestLength]);
    }

    private static ReadOnlySpan<byte> Decode(ChecksumAlgorithm algorithm, string base64, Span<byte> buffer)
    {
        var expected = ChecksumAlgorithms.DigestLength(algorithm);
        if (base64 is null || !Convert.TryFromBase64String(base64, buffer, out var written) || written != expected)
        {
            throw new ArgumentException(
                $"'{base64}' is not a base64 {ChecksumAlgorithms.WireName(algorithm)} checksum ({expected} bytes).", "parts");
        }
        return buffer[..written];
    }
}
