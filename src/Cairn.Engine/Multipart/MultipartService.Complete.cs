using System.Security.Cryptography;
using Cairn.Core;
using Cairn.Engine.Objects;
using Cairn.Metadata;

namespace Cairn.Engine.Multipart;

public sealed partial class MultipartService
{
    /// <summary>
    /// Completes an upload with S3's rules: a stated checksum of the upload's algorithm and type
    /// (ChecksumAlgorithmMismatch, ChecksumTypeMismatch), parts listed in ascending order
    /// (InvalidPartOrder), each existing with the listed ETag and checksum (InvalidPart), every part
    /// but the last at least <see cref="S3Limits.MinPartSize"/> (EntityTooSmall), a stated size and
    /// checksum that match the parts (SizeMismatch, ChecksumMismatch). The ETag is the MD5 of the parts'
    /// MD5s followed by <c>-N</c>; the checksum is combined from the parts' checksums as the upload's
    /// checksum type says. The catalog re-checks the parts inside the committing transaction.
    /// An upload that already completed is answered as its completion was, when this is the same
    /// request again (see <see cref="RepeatCompletionAsync"/>).
    /// </summary>
    public async Task<CompleteMultipartResult> CompleteAsync(CompleteMultipartCommand command, CancellationToken cancellationToken)
    {
        var upload = await FindRecordAsync(command.Bucket, command.Key, command.UploadId, cancellationToken).ConfigureAwait(false);
        if (upload is null)
        {
            return await RepeatCompletionAsync(command, cancellationToken).ConfigureAwait(false);
        }
        if (RefuseStatedChecksumKind(command, upload.ChecksumAlgorithm, ChecksumTypeOf(upload)) is { } refused)
        {
            return refused;
        }
        if (command.Parts.Count == 0)
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.InvalidPart, Detail: "no parts listed");
        }
        for (var i = 1; i < command.Parts.Count; i++)
        {
            if (command.Parts[i].PartNumber <= command.Parts[i - 1].PartNumber)
            {
                return new CompleteMultipartResult(CompleteMultipartStatus.InvalidPartOrder);
            }
        }
        var stored = await LoadPartsAsync(command.UploadId, cancellationToken).ConfigureAwait(false);
        var selected = new List<PartRecord>(command.Parts.Count);
        foreach (var listed in command.Parts)
        {
            if (!stored.TryGetValue(listed.PartNumber, out var part) || !string.Equals(ETag.Unquote(listed.ETag), part.ETag, StringComparison.Ordinal)
                || !ChecksumsAgree(listed.Checksums, part.Checksums))
            {
                // The parts go with the upload when another Complete of it commits first: then this
                // request is answered as that completion's repeat.
                if (stored.Count == 0 && await RepeatCompletionAsync(command, cancellationToken).ConfigureAwait(false) is { Status: CompleteMultipartStatus.Completed } repeat)
                {
                    return repeat;
                }
                return new CompleteMultipartResult(CompleteMultipartStatus.InvalidPart, Detail: listed.PartNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            selected.Add(part);
        }
        for (var i = 0; i < selected.Count - 1; i++)
        {
            if (selected[i].Size < S3Limits.MinPartSize)
            {
                return new CompleteMultipartResult(CompleteMultipartStatus.EntityTooSmall, Detail: selected[i].PartNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (command.ExpectedSize is { } expectedSize && SizeOf(selected) is var size && size != expectedSize)
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.SizeMismatch, Detail: size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var checksums = CombineChecksums(upload, selected);
        if (checksums is null)
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.InvalidPart, Detail: "a part lacks the upload's checksum");
        }
        if (!StatedChecksumHolds(command.ExpectedChecksum, checksums))
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.ChecksumMismatch);
        }
        var version = BuildVersion(upload, selected, checksums);
        var completed = new List<CompletedPart>(selected.Count);
        foreach (var part in selected)
        {
            completed.Add(new CompletedPart(part.PartNumber, part.ETag));
        }
        var outcome = await objects.CompleteMultipartUploadAsync(command.UploadId, completed, version, command.Precondition, time.GetUtcNow(),
            options.GracePeriod, cancellationToken).ConfigureAwait(false);
        return outcome.Outcome switch
        {
            CompleteMultipartOutcome.Completed => new CompleteMultipartResult(CompleteMultipartStatus.Completed,
                new ObjectVersion(version with { VersionId = outcome.VersionId! })),
            // Completed (or aborted) since it was read: by a Complete racing this one, perhaps this very
            // request sent again while the first was still running.
            CompleteMultipartOutcome.NoSuchUpload => await RepeatCompletionAsync(command, cancellationToken).ConfigureAwait(false),
            CompleteMultipartOutcome.NoSuchBucket => new CompleteMultipartResult(CompleteMultipartStatus.NoSuchBucket),
            CompleteMultipartOutcome.PreconditionFailed => new CompleteMultipartResult(CompleteMultipartStatus.PreconditionFailed),
            _ => new CompleteMultipartResult(CompleteMultipartStatus.InvalidPart),
        };
    }

    /// <summary>
    /// A Complete for an upload that no longer exists. S3 answers a CompleteMultipartUpload sent again
    /// for an upload it already completed with 200 and the same result (an SDK retries Complete after a
    /// lost answer; minio/minio#13318 shows S3 doing so where other servers answer NoSuchUpload). Here
    /// the catalog keeps what each completion answered for <see cref="EngineOptions.CompletedUploadRetention"/>,
    /// and a Complete is taken for that request again when it names the same bucket, key and upload
    /// and lists the same parts (numbers and ETags). It is then answered with the remembered result,
    /// the ETag and checksums of the object the upload made, even if the key was overwritten or deleted
    /// since; its precondition is not evaluated again (it held when the upload completed), and nothing
    /// changes. A stated checksum, checksum type or size must still be the completed object's. Anything
    /// else is NoSuchUpload, as for an upload that never existed.
    /// </summary>
    private async Task<CompleteMultipartResult> RepeatCompletionAsync(CompleteMultipartCommand command, CancellationToken cancellationToken)
    {
        var completed = await multipart.GetCompletedMultipartUploadAsync(command.UploadId, cancellationToken).ConfigureAwait(false);
        if (completed is null
            || !string.Equals(completed.Bucket, command.Bucket, StringComparison.Ordinal)
            || !string.Equals(completed.Key, command.Key, StringComparison.Ordinal)
            || completed.Completed + options.CompletedUploadRetention < time.GetUtcNow()
            || !completed.IsCompletionOf(Listed(command.Parts)))
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.NoSuchUpload);
        }
        // The completed object's checksums hold its upload's algorithm, if it had one, and no other.
        string? algorithm = null;
        foreach (var name in completed.Checksums.Keys)
        {
            algorithm = name;
        }
        if (RefuseStatedChecksumKind(command, algorithm, completed.ChecksumType) is { } refused)
        {
            return refused;
        }
        if (command.ExpectedSize is { } expectedSize && expectedSize != completed.Size)
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.SizeMismatch, Detail: completed.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (!StatedChecksumHolds(command.ExpectedChecksum, completed.Checksums))
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.ChecksumMismatch);
        }
        var version = new ObjectVersionRecord
        {
            Bucket = completed.Bucket,
            Key = completed.Key,
            VersionId = completed.VersionId,
            Size = completed.Size,
            ETag = completed.ETag,
            LastModified = completed.Completed,
            Checksums = completed.Checksums,
            ChecksumType = completed.ChecksumType,
        };
        return new CompleteMultipartResult(CompleteMultipartStatus.Completed, new ObjectVersion(version)) { Repeated = true };

        static List<CompletedPart> Listed(IReadOnlyList<CompletePartCommand> parts)
        {
            var listed = new List<CompletedPart>(parts.Count);
            foreach (var part in parts)
            {
                listed.Add(new CompletedPart(part.PartNumber, part.ETag));
            }
            return listed;
        }
    }

    private async Task<Dictionary<int, PartRecord>> LoadPartsAsync(string uploadId, CancellationToken cancellationToken)
    {
        var parts = new Dictionary<int, PartRecord>();
        var after = 0;
        while (true)
        {
            var page = await multipart.ListPartsAsync(uploadId, after, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var part in page.Parts)
            {
                parts[part.PartNumber] = part;
                after = part.PartNumber;
            }
            if (!page.IsTruncated || page.Parts.Count == 0)
            {
                return parts;
            }
        }
    }

    /// <summary>
    /// A checksum stated on Complete must be of the upload's algorithm: S3 answers 400 InvalidRequest
    /// "Checksum Type mismatch occurred, expected checksum Type: ..., actual checksum Type: ..." (the
    /// message in the S3 API model's InvalidRequest; "null" for an upload created without an algorithm,
    /// as quoted from AWS in apache/arrow-rs-object-store#34). A stated checksum type must be the
    /// upload's: 400 BadDigest (API reference, CompleteMultipartUpload, x-amz-checksum-type). An upload
    /// created without an algorithm counts as FULL_OBJECT, the type S3 gives it.
    /// </summary>
    private static CompleteMultipartResult? RefuseStatedChecksumKind(CompleteMultipartCommand command, string? algorithm, string checksumType)
    {
        if (command.ExpectedChecksum is { } stated
            && !string.Equals(algorithm, ChecksumAlgorithms.WireName(stated.Algorithm), StringComparison.Ordinal))
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.ChecksumAlgorithmMismatch, Detail: algorithm);
        }
        if (command.ExpectedChecksumType is { } statedType && !string.Equals(statedType, checksumType, StringComparison.Ordinal))
        {
            return new CompleteMultipartResult(CompleteMultipartStatus.ChecksumTypeMismatch);
        }
        return null;
    }

    /// <summary>
    /// Whether a checksum stated on Complete is the object's: for FULL_OBJECT the CRC of the whole body,
    /// for COMPOSITE the checksum of the part checksums (the combined value without its <c>-N</c>, as
    /// GetObjectAttributes shows it). A full-object CRC stated for a COMPOSITE upload is therefore a
    /// mismatch, as on S3 (aws/aws-sdk-js-v3#6742: BadDigest).
    /// </summary>
    private static bool StatedChecksumHolds((ChecksumAlgorithm Algorithm, string Value)? stated, IReadOnlyDictionary<string, string> checksums)
    {
        if (stated is not { } expected)
        {
            return true;
        }
        if (!checksums.TryGetValue(ChecksumAlgorithms.WireName(expected.Algorithm), out var combined))
        {
            return false;
        }
        // Base64 has no '-': anything from one on is the composite "-N".
        var dash = combined.IndexOf('-', StringComparison.Ordinal);
        return (dash < 0 ? combined.AsSpan() : combined.AsSpan(0, dash)).SequenceEqual(expected.Value);
    }

    /// <summary>The upload's checksum type; FULL_OBJECT for an upload created without an algorithm.</summary>
    private static string ChecksumTypeOf(MultipartUploadRecord upload) => upload.ChecksumType ?? MultipartChecksum.FullObject;

    private static long SizeOf(List<PartRecord> parts)
    {
        long size = 0;
        foreach (var part in parts)
        {
            size += part.Size;
        }
        return size;
    }

    /// <summary>A checksum the client lists for a part must equal the stored one (S3 answers InvalidPart otherwise).</summary>
    private static bool ChecksumsAgree(IReadOnlyDictionary<string, string> listed, IReadOnlyDictionary<string, string> stored)
    {
        foreach (var (name, value) in listed)
        {
            if (!stored.TryGetValue(name, out var actual) || actual != value)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The object's checksums: none without an upload algorithm; null when a part lacks it.</summary>
    private static Dictionary<string, string>? CombineChecksums(MultipartUploadRecord upload, List<PartRecord> parts)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (upload.ChecksumAlgorithm is not { } wireName || !ChecksumAlgorithms.TryParseWireName(wireName, out var algorithm))
        {
            return result;
        }
        var values = new List<(string Base64, long Length)>(parts.Count);
        foreach (var part in parts)
        {
            if (!part.Checksums.TryGetValue(wireName, out var value))
            {
                return null;
            }
            values.Add((value, part.Size));
        }
        if (MultipartChecksum.Combine(algorithm, upload.ChecksumType!, values) is { } combined)
        {
            result[wireName] = combined;
        }
        return result;
    }

    private ObjectVersionRecord BuildVersion(MultipartUploadRecord upload, List<PartRecord> parts, Dictionary<string, string> checksums)
    {
        var md5s = new byte[parts.Count * 16];
        var chunkList = new List<ChunkRef>();
        var sizes = new List<long>(parts.Count);
        long size = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            Convert.FromHexString(parts[i].ETag).CopyTo(md5s, i * 16);
            chunkList.AddRange(parts[i].Chunks);
            sizes.Add(parts[i].Size);
            size += parts[i].Size;
        }
        return new ObjectVersionRecord
        {
            Bucket = upload.Bucket,
            Key = upload.Key,
            Size = size,
            ETag = ETag.FromMd5(MD5.HashData(md5s)) + "-" + parts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            LastModified = time.GetUtcNow(),
            Headers = upload.Headers,
            UserMetadata = upload.UserMetadata,
            Checksums = checksums,
            ChecksumType = ChecksumTypeOf(upload),
            Chunks = chunkList,
            PartSizes = sizes,
            // Kept when the upload had a checksum algorithm (every part then has its checksum).
            PartChecksums = parts.All(static part => part.Checksums.Count > 0) ? [.. parts.Select(static part => part.Checksums)] : [],
            Tags = upload.Tags,
            Lock = upload.Lock,
            Encryption = upload.Encryption,
        };
    }
}
