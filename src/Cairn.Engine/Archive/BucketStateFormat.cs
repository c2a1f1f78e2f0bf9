using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Archive;

/// <summary>One bucket as a bucket-state document keeps it: its row and its configurations.</summary>
public sealed record ArchivedBucket(BucketRecord Bucket, IReadOnlyList<BucketConfiguration> Configurations);

/// <summary>
/// The archive's picture of the buckets at one moment (issue 13): every bucket's row (creation time,
/// region, versioning, Object Lock, tags) and configurations (lifecycle, inventory, ...), written by
/// the journal archiver whenever it changed, as gzip JSON named by its time. A restore takes the
/// newest one at or before its point in time; the objects come from the journal segments.
/// </summary>
public static class BucketStateFormat
{
    /// <summary>The document's format name; another is refused.</summary>
    public const string Format = "cairn-buckets/1";

    /// <summary>The buckets' JSON without compression (what the archiver compares to tell a change).</summary>
    public static byte[] EncodeJson(IReadOnlyList<ArchivedBucket> buckets)
    {
        var document = new BucketStateDocument
        {
            Format = Format,
            Buckets = [.. buckets.OrderBy(static b => b.Bucket.Name, StringComparer.Ordinal).Select(static archived => new BucketStateEntry
            {
                Name = archived.Bucket.Name,
                Created = archived.Bucket.CreatedAt.ToUnixTimeMilliseconds(),
                Region = archived.Bucket.Region,
                Versioning = archived.Bucket.Versioning.ToString(),
                ObjectLock = archived.Bucket.ObjectLock is { } configuration
                    ? new BucketLockEntry
                    {
                        Mode = configuration.DefaultRetention?.Mode.ToString(),
                        Days = configuration.DefaultRetention?.Days,
                        Years = configuration.DefaultRetention?.Years,
                    }
                    : null,
                Tags = archived.Bucket.Tags.Count == 0 ? null : new Dictionary<string, string>(archived.Bucket.Tags, StringComparer.Ordinal),
                Owner = archived.Bucket.Owner,
                Configurations = [.. archived.Configurations.Select(static c => new BucketConfigurationEntry
                {
                    Kind = c.Kind, Id = c.Id, Document = c.Document, UpdatedAt = c.UpdatedAt.ToUnixTimeMilliseconds(),
                })],
            })],
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, BucketStateJsonContext.Default.BucketStateDocument);
    }

    /// <summary>Compressed, as stored.</summary>
    public static byte[] Compress(byte[] json) => ArchiveGzip.Compress(json);

    /// <summary>Decodes a stored document.</summary>
    /// <exception cref="InvalidDataException">Not a document of this format.</exception>
    public static IReadOnlyList<ArchivedBucket> Decode(ReadOnlySpan<byte> stored)
    {
        try
        {
            var document = JsonSerializer.Deserialize(ArchiveGzip.Decompress(stored, "bucket state"), BucketStateJsonContext.Default.BucketStateDocument)
                ?? throw new InvalidDataException("The bucket state is null.");
            if (document.Format != Format)
            {
                throw new InvalidDataException($"The bucket state's format is not {Format}.");
            }
            return [.. (document.Buckets ?? []).Select(static entry => new ArchivedBucket(
                new BucketRecord(entry.Name!, DateTimeOffset.FromUnixTimeMilliseconds(entry.Created), entry.Region!)
                {
                    Versioning = Enum.Parse<BucketVersioning>(entry.Versioning!),
                    ObjectLock = entry.ObjectLock is { } locked
                        ? new ObjectLockConfiguration(locked.Mode is { } mode ? new DefaultRetention(Enum.Parse<ObjectLockMode>(mode), locked.Days, locked.Years) : null)
                        : null,
                    Tags = entry.Tags ?? new Dictionary<string, string>(StringComparer.Ordinal),
                    Owner = entry.Owner,
                },
                [.. (entry.Configurations ?? []).Select(c => new BucketConfiguration(entry.Name!, c.Kind!, c.Id!, c.Document!,
                    DateTimeOffset.FromUnixTimeMilliseconds(c.UpdatedAt)))]))];
        }
        catch (Exception ex) when (ex is JsonException or IOException or ArgumentException or NullReferenceException)
        {
            throw new InvalidDataException("The bucket state is damaged: " + ex.Message, ex);
        }
    }
}

internal sealed class BucketStateDocument
{
    public string? Format { get; set; }
    public List<BucketStateEntry>? Buckets { get; set; }
}

internal sealed class BucketStateEntry
{
    public string? Name { get; set; }
    public long Created { get; set; }
    public string? Region { get; set; }
    public string? Versioning { get; set; }
    public BucketLockEntry? ObjectLock { get; set; }
    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>The owning user; absent for root's buckets (and in documents written before users existed).</summary>
    public string? Owner { get; set; }

    public List<BucketConfigurationEntry>? Configurations { get; set; }
}

internal sealed class BucketLockEntry
{
    public string? Mode { get; set; }
    public int? Days { get; set; }
    public int? Years { get; set; }
}

internal sealed class BucketConfigurationEntry
{
    public string? Kind { get; set; }
    public string? Id { get; set; }
    public string? Document { get; set; }
    public long UpdatedAt { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BucketStateDocument))]
internal sealed partial class BucketStateJsonContext : JsonSerializerContext;
