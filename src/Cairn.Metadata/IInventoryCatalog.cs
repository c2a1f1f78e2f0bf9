namespace Cairn.Metadata;

/// <summary>
/// The inventory reports written (issue 13): which exist for a bucket's configurations, and where each
/// data file's row groups begin and end in key order, so a reader can pick the files and groups that
/// cover a key range. A report is recorded once its manifest is in the destination bucket (its files
/// before it); the rows go with the source bucket.
/// </summary>
public interface IInventoryCatalog
{
    /// <summary>Records a report and its groups in one transaction. False, and nothing recorded, when the source bucket is gone.</summary>
    ValueTask<bool> RecordInventoryReportAsync(InventoryReport report, IReadOnlyList<InventoryReportGroup> groups, CancellationToken cancellationToken);

    /// <summary>The bucket's reports, newest first (of one configuration when <paramref name="configurationId"/> is given), at most <paramref name="max"/>.</summary>
    ValueTask<IReadOnlyList<InventoryReport>> ListInventoryReportsAsync(string bucket, string? configurationId, int max, CancellationToken cancellationToken);

    /// <summary>
    /// The report's row groups that may hold keys from <paramref name="fromKey"/> to <paramref name="toKey"/>
    /// (either null: unbounded on that side; UTF-8 byte order), by file and group.
    /// </summary>
    ValueTask<IReadOnlyList<InventoryReportGroup>> ListInventoryReportGroupsAsync(string bucket, string configurationId, DateTimeOffset createdAt,
        string? fromKey, string? toKey, CancellationToken cancellationToken);
}

/// <summary>
/// A report of <paramref name="Bucket"/>'s inventory configuration <paramref name="ConfigurationId"/>,
/// written at <paramref name="CreatedAt"/>, listing the bucket as of journal number <paramref name="JournalSeq"/>:
/// its manifest's key in <paramref name="DestinationBucket"/>, its format (CSV, Parquet) and how many rows it holds.
/// </summary>
public sealed record InventoryReport(string Bucket, string ConfigurationId, DateTimeOffset CreatedAt, long JournalSeq, string DestinationBucket,
    string ManifestKey, string Format, long ObjectCount);

/// <summary>One row group of a report's data file (a whole file for CSV): its first and last key and its rows.</summary>
public sealed record InventoryReportGroup(string FileKey, int RowGroup, string FirstKey, string LastKey, long RowCount);
