using System.Diagnostics.CodeAnalysis;

namespace Cairn.Storage;

/// <summary>
/// The argument rules of <see cref="IBlobBackend"/> beyond names (<see cref="BlobName"/>), checked
/// by every backend before it does anything, so a bad argument fails the same way everywhere: with
/// an <see cref="ArgumentException"/> and nothing sent or written.
/// </summary>
public static class BlobArguments
{
    /// <summary>Checks the arguments of <see cref="IBlobBackend.ListPageAsync"/>.</summary>
    public static void ThrowIfInvalidListPage(string prefix, int maxCount)
    {
        BlobName.ThrowIfInvalidPrefix(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxCount, BlobLimits.MaxListPage);
    }

    /// <summary>Checks the arguments of <see cref="IBlobBackend.DeleteManyAsync"/>: every name valid, at most one batch.</summary>
    public static void ThrowIfInvalidDeleteBatch(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count > BlobLimits.MaxDeleteBatch)
        {
            throw new ArgumentException($"A delete batch holds at most {BlobLimits.MaxDeleteBatch} names, not {names.Count}.", nameof(names));
        }
        foreach (var name in names)
        {
            BlobName.ThrowIfInvalid(name);
        }
    }

    /// <summary>Checks a part number (1 to <see cref="BlobLimits.MaxPartNumber"/>).</summary>
    public static void ThrowIfInvalidPartNumber(int partNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, BlobLimits.MaxPartNumber);
    }

    /// <summary>Checks that an upload id is present; what it looks like is each backend's business.</summary>
    public static void ThrowIfInvalidUploadId(string uploadId) => ArgumentException.ThrowIfNullOrWhiteSpace(uploadId);

    /// <summary>
    /// Checks the part list of <see cref="IBlobBackend.CompleteMultipartAsync"/>: not empty, part
    /// numbers valid and strictly ascending, every ETag present.
    /// </summary>
    public static void ThrowIfInvalidPartList(IReadOnlyList<BlobPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            ThrowPartList("A multipart upload completes with at least one part.");
        }
        var previous = 0;
        foreach (var part in parts)
        {
            ThrowIfInvalidPartNumber(part.PartNumber);
            if (part.PartNumber <= previous)
            {
                ThrowPartList($"Part numbers must ascend strictly; {part.PartNumber} follows {previous}.");
            }
            if (string.IsNullOrWhiteSpace(ETagText(part.ETag)))
            {
                ThrowPartList($"Part {part.PartNumber} has no ETag.");
            }
            previous = part.PartNumber;
        }
    }

    /// <summary>An ETag without surrounding double quotes: S3 quotes them, completion lists may or may not.</summary>
    public static string ETagText(string? etag) =>
        etag is { Length: >= 2 } && etag[0] == '"' && etag[^1] == '"' ? etag[1..^1] : etag ?? "";

    [DoesNotReturn]
    private static void ThrowPartList(string message) => throw new ArgumentException(message, "parts");
}
