namespace Cairn.Core;

/// <summary>
/// A bucket's inventory configuration (PutBucketInventoryConfiguration): a report of the bucket's
/// objects (or every version), written on a schedule to a destination bucket of this server, as
/// AWS S3 Inventory delivers it (a manifest and data files). Validated by the front end that read it.
/// </summary>
public sealed record InventoryConfiguration
{
    /// <summary>The configuration's id (1 to 64 characters), unique in its bucket.</summary>
    public required string Id { get; init; }

    public required bool Enabled { get; init; }

    /// <summary>The destination bucket's name (the document names it as <c>arn:aws:s3:::NAME</c>).</summary>
    public required string DestinationBucket { get; init; }

    /// <summary>The destination's AccountId element, kept to be answered back (Cairn has one account).</summary>
    public string? DestinationAccountId { get; init; }

    /// <summary>The key prefix reports are written under (null: none given).</summary>
    public string? DestinationPrefix { get; init; }

    public required InventoryFormat Format { get; init; }

    /// <summary>Only objects whose key starts with this are listed (null: no Filter element).</summary>
    public string? FilterPrefix { get; init; }

    /// <summary><c>IncludedObjectVersions</c>: every version and delete marker (All), or the current versions (Current).</summary>
    public required bool AllVersions { get; init; }

    /// <summary>The optional fields asked for, in the order given (a report writes them in <see cref="InventoryFields.ReportOrder"/>).</summary>
    public IReadOnlyList<InventoryField> OptionalFields { get; init; } = [];

    public required InventoryFrequency Frequency { get; init; }
}

/// <summary>The format of an inventory's data files.</summary>
public enum InventoryFormat
{
    /// <summary>Gzip-compressed CSV files (<c>.csv.gz</c>), no header row.</summary>
    Csv,

    /// <summary>Apache Parquet files.</summary>
    Parquet,

    /// <summary>Apache ORC files (accepted by S3; Cairn refuses it, 501).</summary>
    Orc,
}

/// <summary>How often an inventory report is written: every lifecycle day, or every seventh.</summary>
public enum InventoryFrequency
{
    Daily,
    Weekly,
}

/// <summary>The optional fields of an inventory report (S3's <c>OptionalFields/Field</c> values).</summary>
public enum InventoryField
{
    Size,
    LastModifiedDate,
    StorageClass,
    ETag,
    IsMultipartUploaded,
    ReplicationStatus,
    EncryptionStatus,
    ObjectLockRetainUntilDate,
    ObjectLockMode,
    ObjectLockLegalHoldStatus,
    IntelligentTieringAccessTier,
    BucketKeyStatus,
    ChecksumAlgorithm,
    ObjectAccessControlList,
    ObjectOwner,
}

/// <summary>Names and order of inventory fields.</summary>
public static class InventoryFields
{
    /// <summary>The order a report writes the optional fields in, whatever order the configuration gave (S3's documented column order).</summary>
    public static readonly IReadOnlyList<InventoryField> ReportOrder =
    [
        InventoryField.Size,
        InventoryField.LastModifiedDate,
        InventoryField.ETag,
        InventoryField.StorageClass,
        InventoryField.IsMultipartUploaded,
        InventoryField.ReplicationStatus,
        InventoryField.EncryptionStatus,
        InventoryField.ObjectLockRetainUntilDate,
        InventoryField.ObjectLockMode,
        InventoryField.ObjectLockLegalHoldStatus,
        InventoryField.IntelligentTieringAccessTier,
        InventoryField.BucketKeyStatus,
        InventoryField.ChecksumAlgorithm,
        InventoryField.ObjectAccessControlList,
        InventoryField.ObjectOwner,
    ];

    /// <summary>The format's name on the wire and in a manifest's <c>fileFormat</c>: CSV, Parquet or ORC.</summary>
    public static string FormatName(InventoryFormat format) => format switch
    {
        InventoryFormat.Csv => "CSV",
        InventoryFormat.Parquet => "Parquet",
        InventoryFormat.Orc => "ORC",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The field's name on the wire (the enum member's name, as S3 spells it).</summary>
    public static string WireName(InventoryField field) => field.ToString();

    /// <summary>The field of a wire name; false when S3 has no such field.</summary>
    public static bool TryParse(string name, out InventoryField field)
    {
        // Exactly a member's name: Enum.TryParse would also take " Size ", "Size,ETag" and numbers.
        foreach (var candidate in Enum.GetValues<InventoryField>())
        {
            if (string.Equals(WireName(candidate), name, StringComparison.Ordinal))
            {
                field = candidate;
                return true;
            }
        }
        field = default;
        return false;
    }
}
