using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// A whole version as a journal Put entry carries it when the store keeps records in its journal
/// (<see cref="SqlMetadataStore.JournalRecords"/>): everything its row holds but the bucket and key
/// (the entry's own) and the storage class (where the bytes are, which a transition changes without
/// a journal entry), so that replaying a bucket's entries in order rebuilds its versions exactly,
/// bodies kept inline and encryption envelopes included. UTF-8 JSON with short names; the chunk and
/// part-size lists in the catalog's own binary forms.
/// </summary>
public static class JournalRecordFormat
{
    /// <summary>The version's record.</summary>
    public static byte[] Encode(ObjectVersionRecord version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var document = new JournalRecordDocument
        {
            VersionId = version.VersionId,
            DeleteMarker = version.IsDeleteMarker,
            Size = version.Size,
            ETag = version.ETag,
            LastModified = SqlParameters.ToUnixMs(version.LastModified),
            Headers = version.Headers == new ContentHeaders() ? null : version.Headers,
            Metadata = Copy(version.UserMetadata),
            Checksums = Copy(version.Checksums),
            ChecksumType = version.ChecksumType,
            InlineBody = version.InlineBody,
            Chunks = ChunkListFormat.Encode(version.Chunks),
            PartSizes = PartSizeListFormat.Encode(version.PartSizes),
            PartChecksums = version.PartChecksums.Count == 0
                ? null
                : [.. version.PartChecksums.Select(static part => new Dictionary<string, string>(part, StringComparer.Ordinal))],
            Tags = Copy(version.Tags),
            LockMode = version.Lock.Retention is { } retention ? retention.Mode.ToString() : null,
            LockUntil = version.Lock.Retention is { } until ? SqlParameters.ToUnixMs(until.RetainUntil) : null,
            LegalHold = version.Lock.LegalHold,
            Encryption = version.Encryption,
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, JournalRecordJsonContext.Default.JournalRecordDocument);
    }

    /// <summary>The version of <paramref name="bucket"/>/<paramref name="key"/> a record holds.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a record.</exception>
    public static ObjectVersionRecord Decode(ReadOnlySpan<byte> record, string bucket, string key)
    {
        JournalRecordDocument document;
        try
        {
            document = JsonSerializer.Deserialize(record, JournalRecordJsonContext.Default.JournalRecordDocument)
                ?? throw new InvalidDataException("A journal record is null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("A journal record is not valid: " + ex.Message, ex);
        }
        ObjectRetention? retention = document.LockMode is { } mode && document.LockUntil is { } until
            ? new ObjectRetention(Enum.Parse<ObjectLockMode>(mode), SqlParameters.FromUnixMs(until))
            : null;
        return new ObjectVersionRecord
        {
            Bucket = bucket,
            Key = key,
            VersionId = document.VersionId ?? throw new InvalidDataException("A journal record has no version id."),
            IsDeleteMarker = document.DeleteMarker,
            Size = document.Size,
            ETag = document.ETag ?? "",
            LastModified = SqlParameters.FromUnixMs(document.LastModified),
            Headers = document.Headers ?? new ContentHeaders(),
            UserMetadata = document.Metadata ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Checksums = document.Checksums ?? new Dictionary<string, string>(StringComparer.Ordinal),
            ChecksumType = document.ChecksumType ?? "FULL_OBJECT",
            InlineBody = document.InlineBody,
            Chunks = ChunkListFormat.Decode(document.Chunks),
            PartSizes = PartSizeListFormat.Decode(document.PartSizes),
            PartChecksums = document.PartChecksums is { } parts ? [.. parts] : [],
            Tags = document.Tags ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Lock = new ObjectLockState(retention, document.LegalHold),
            Encryption = document.Encryption,
        };
    }

    private static Dictionary<string, string>? Copy(IReadOnlyDictionary<string, string> values) =>
        values.Count == 0 ? null : new Dictionary<string, string>(values, StringComparer.Ordinal);
}

/// <summary>The JSON shape of a journal record (names short: one is written per PUT while records are kept).</summary>
internal sealed class JournalRecordDocument
{
    [JsonPropertyName("v")] public string? VersionId { get; set; }
    [JsonPropertyName("dm")] public bool DeleteMarker { get; set; }
    [JsonPropertyName("s")] public long Size { get; set; }
    [JsonPropertyName("e")] public string? ETag { get; set; }
    [JsonPropertyName("t")] public long LastModified { get; set; }
    [JsonPropertyName("h")] public ContentHeaders? Headers { get; set; }
    [JsonPropertyName("m")] public Dictionary<string, string>? Metadata { get; set; }
    [JsonPropertyName("c")] public Dictionary<string, string>? Checksums { get; set; }
    [JsonPropertyName("ct")] public string? ChecksumType { get; set; }
    [JsonPropertyName("b")] public byte[]? InlineBody { get; set; }
    [JsonPropertyName("k")] public byte[]? Chunks { get; set; }
    [JsonPropertyName("ps")] public byte[]? PartSizes { get; set; }
    [JsonPropertyName("pc")] public List<Dictionary<string, string>>? PartChecksums { get; set; }
    [JsonPropertyName("tg")] public Dictionary<string, string>? Tags { get; set; }
    [JsonPropertyName("lm")] public string? LockMode { get; set; }
    [JsonPropertyName("lu")] public long? LockUntil { get; set; }
    [JsonPropertyName("lh")] public bool? LegalHold { get; set; }
    /// <summary>The version's sealed data-key envelope (base64), absent for a body stored as sent.</summary>
    [JsonPropertyName("enc")] public byte[]? Encryption { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JournalRecordDocument))]
internal sealed partial class JournalRecordJsonContext : JsonSerializerContext;
