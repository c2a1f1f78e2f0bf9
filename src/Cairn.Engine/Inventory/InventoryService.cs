using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Inventory;

/// <summary>Outcome of an inventory configuration call.</summary>
public enum InventoryStatus
{
    Done,
    NoSuchBucket,
    /// <summary>The bucket has no configuration with that id (S3: 404 NoSuchConfiguration).</summary>
    NoSuchConfiguration,
    /// <summary>The bucket has the most configurations S3 allows and this one is new (S3: 400 TooManyConfigurations).</summary>
    TooManyConfigurations,
}

/// <summary>One page of a bucket's inventory configurations, by id; <see cref="NextContinuationToken"/> when more follow.</summary>
public sealed record InventoryConfigurationPage(IReadOnlyList<InventoryConfiguration> Configurations, string? NextContinuationToken);

/// <summary>
/// A bucket's inventory configurations (issue 13), kept in the catalog's bucket configurations (kind
/// <see cref="Kind"/>, the configuration's id as the id) as JSON, the form the inventory worker reads.
/// </summary>
public sealed class InventoryService(IBucketCatalog buckets, IBucketConfigurationCatalog configurations, IInventoryCatalog reports, TimeProvider time)
{
    /// <summary>The configuration kind of inventory configurations in the catalog.</summary>
    public const string Kind = "inventory";

    /// <summary>Configurations a bucket may have (S3's limit).</summary>
    public const int MaxConfigurations = 1000;

    /// <summary>Configurations in one page of a list (S3 answers up to 100).</summary>
    public const int PageSize = 100;

    /// <summary>The bucket's configuration of that id, or why there is none.</summary>
    public async Task<(InventoryStatus Status, InventoryConfiguration? Configuration)> GetAsync(string bucket, string id, CancellationToken cancellationToken)
    {
        var stored = await configurations.GetBucketConfigurationAsync(bucket, Kind, id, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            return (InventoryStatus.Done, Decode(stored.Document));
        }
        return (await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false) ? InventoryStatus.NoSuchConfiguration : InventoryStatus.NoSuchBucket,
            null);
    }

    /// <summary>One page of the bucket's configurations after <paramref name="continuationToken"/> (an id), by id; null when there is no such bucket.</summary>
    public async Task<InventoryConfigurationPage?> ListAsync(string bucket, string? continuationToken, CancellationToken cancellationToken)
    {
        if (!await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var all = await configurations.ListBucketConfigurationsAsync(bucket, Kind, cancellationToken).ConfigureAwait(false);
        var after = all.Where(stored => continuationToken is null || string.CompareOrdinal(stored.Id, continuationToken) > 0).ToList();
        var page = after.Take(PageSize).Select(static stored => Decode(stored.Document)).ToList();
        return new InventoryConfigurationPage(page, after.Count > PageSize ? page[^1].Id : null);
    }

    /// <summary>Creates or replaces the configuration of its id (validated by the caller).</summary>
    public async Task<InventoryStatus> PutAsync(string bucket, InventoryConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var existing = await configurations.ListBucketConfigurationsAsync(bucket, Kind, cancellationToken).ConfigureAwait(false);
        if (existing.Count >= MaxConfigurations && existing.All(stored => stored.Id != configuration.Id))
        {
            return InventoryStatus.TooManyConfigurations;
        }
        var document = JsonSerializer.Serialize(configuration, InventoryJsonContext.Default.InventoryConfiguration);
        return await configurations.PutBucketConfigurationAsync(new BucketConfiguration(bucket, Kind, configuration.Id, document, time.GetUtcNow()),
            cancellationToken).ConfigureAwait(false) ? InventoryStatus.Done : InventoryStatus.NoSuchBucket;
    }

    /// <summary>Removes the configuration of that id.</summary>
    public async Task<InventoryStatus> DeleteAsync(string bucket, string id, CancellationToken cancellationToken)
    {
        if (await configurations.DeleteBucketConfigurationAsync(bucket, Kind, id, cancellationToken).ConfigureAwait(false))
        {
            return InventoryStatus.Done;
        }
        return await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false) ? InventoryStatus.NoSuchConfiguration : InventoryStatus.NoSuchBucket;
    }

    /// <summary>
    /// The bucket's reports, newest first (of one configuration when <paramref name="id"/> is given),
    /// each with its row groups that may hold keys from <paramref name="fromKey"/> to <paramref name="toKey"/>
    /// (null: unbounded); null when there is no such bucket.
    /// </summary>
    public async Task<IReadOnlyList<InventoryReportSummary>?> ListReportsAsync(string bucket, string? id, int max, string? fromKey, string? toKey,
        CancellationToken cancellationToken)
    {
        if (!await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var summaries = new List<InventoryReportSummary>();
        foreach (var report in await reports.ListInventoryReportsAsync(bucket, id, max, cancellationToken).ConfigureAwait(false))
        {
            var groups = await reports.ListInventoryReportGroupsAsync(bucket, report.ConfigurationId, report.CreatedAt, fromKey, toKey, cancellationToken)
                .ConfigureAwait(false);
            summaries.Add(new InventoryReportSummary(report.ConfigurationId, report.CreatedAt, report.JournalSeq, report.DestinationBucket, report.ManifestKey,
                report.Format, report.ObjectCount, [.. groups.Select(static g => new InventoryGroupSummary(g.FileKey, g.RowGroup, g.FirstKey, g.LastKey, g.RowCount))]));
        }
        return summaries;
    }

    /// <summary>A stored document as a configuration.</summary>
    public static InventoryConfiguration Decode(string document) =>
        JsonSerializer.Deserialize(document, InventoryJsonContext.Default.InventoryConfiguration)
        ?? throw new InvalidDataException("A stored inventory configuration is null.");

    private async Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is not null;
}

/// <summary>A report written for a configuration: when, of which journal number, where its manifest is, its rows, and the row groups asked about.</summary>
public sealed record InventoryReportSummary(string ConfigurationId, DateTimeOffset CreatedAt, long JournalSeq, string DestinationBucket, string ManifestKey,
    string Format, long ObjectCount, IReadOnlyList<InventoryGroupSummary> Groups);

/// <summary>A row group of a report's data file: its file, index, first and last key, and rows.</summary>
public sealed record InventoryGroupSummary(string FileKey, int RowGroup, string FirstKey, string LastKey, long Rows);

/// <summary>The stored form of inventory configurations: enums by name, so a document reads the same after a reordering.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InventoryConfiguration))]
internal sealed partial class InventoryJsonContext : JsonSerializerContext;
