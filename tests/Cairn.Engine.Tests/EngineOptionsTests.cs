namespace Cairn.Engine.Tests;

/// <summary>What <see cref="EngineOptions.Validate"/> refuses at start-up, each problem naming its setting.</summary>
public sealed class EngineOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_compress_with_zstd_at_level_1()
    {
        var options = new EngineOptions();
        Assert.Empty(options.Validate());
        Assert.Equal((ChunkCompression.Zstd, 1, 0.125), (options.Compression, options.CompressionLevel, options.CompressionMinSaving));
    }

    [Theory]
    [InlineData(0, 0.125)]
    [InlineData(20, 0.125)]
    [InlineData(-8, 0.125)]
    [InlineData(1, 0.0)]
    [InlineData(1, 1.0)]
    public void A_zstd_level_or_minimum_saving_out_of_range_is_refused(int level, double minSaving)
    {
        var options = new EngineOptions { CompressionLevel = level, CompressionMinSaving = minSaving };

        var problem = Assert.Single(options.Validate());

        Assert.Contains("Engine:CompressionLevel", problem, StringComparison.Ordinal);
        Assert.Contains("Engine:CompressionMinSaving", problem, StringComparison.Ordinal);
        // With compression off, the zstd settings are not used and not checked.
        options.Compression = ChunkCompression.None;
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData(-7)]
    [InlineData(19)]
    [InlineData(3)]
    public void Zstd_levels_from_minus_7_to_19_are_accepted(int level) =>
        Assert.Empty(new EngineOptions { CompressionLevel = level }.Validate());

    [Theory]
    [InlineData(0.0, 60)]
    [InlineData(-0.1, 60)]
    [InlineData(1.5, 60)]
    [InlineData(0.15, 0)]
    public void A_compaction_ratio_outside_0_to_1_or_an_interval_that_is_not_positive_is_refused(double ratio, int intervalSeconds)
    {
        var options = new EngineOptions { CompactionDeadRatio = ratio, CompactionInterval = TimeSpan.FromSeconds(intervalSeconds) };

        var problem = Assert.Single(options.Validate());

        Assert.Contains("Engine:CompactionDeadRatio", problem, StringComparison.Ordinal);
        Assert.Contains("CompactionInterval", problem, StringComparison.Ordinal);
        Assert.Empty(new EngineOptions { CompactionDeadRatio = 1.0 }.Validate());
    }

    [Theory]
    [InlineData(50, 10_000)] // a day under 100 ms
    [InlineData(90_000_000, 10_000)] // a day over 24 hours
    [InlineData(2000, 5)] // an interval under 10 ms
    public void A_lifecycle_day_outside_100_ms_to_1_day_or_a_tiny_interval_is_refused(long dayMs, long intervalMs)
    {
        var options = new EngineOptions { LifecycleDay = TimeSpan.FromMilliseconds(dayMs), LifecycleInterval = TimeSpan.FromMilliseconds(intervalMs) };

        Assert.Contains("Engine:LifecycleDay", Assert.Single(options.Validate()), StringComparison.Ordinal);
        Assert.Empty(new EngineOptions { LifecycleDay = TimeSpan.FromSeconds(2) }.Validate());
    }

    [Theory]
    [InlineData(0, 60_000)] // no entries between snapshots
    [InlineData(-1, 60_000)]
    [InlineData(10, 0)] // an interval that is not positive
    public void A_snapshot_threshold_below_one_entry_or_an_interval_that_is_not_positive_is_refused(long entries, long intervalMs)
    {
        var options = new EngineOptions { ArchiveSnapshotEntries = entries, ArchiveSnapshotInterval = TimeSpan.FromMilliseconds(intervalMs) };

        Assert.Contains("Engine:ArchiveSnapshotEntries", Assert.Single(options.Validate()), StringComparison.Ordinal);
        Assert.Empty(new EngineOptions { ArchiveSnapshotEntries = 1, ArchiveSnapshotInterval = TimeSpan.FromMilliseconds(1) }.Validate());
    }

    [Theory]
    [InlineData(-1, 60_000)] // a negative retention
    [InlineData(0, 5)] // an interval under 10 ms
    [InlineData(0, 0)]
    public void A_negative_journal_retention_or_a_tiny_prune_interval_is_refused(long retentionMs, long intervalMs)
    {
        var options = new EngineOptions
        {
            JournalRetention = TimeSpan.FromMilliseconds(retentionMs),
            JournalPruneInterval = TimeSpan.FromMilliseconds(intervalMs),
        };

        var problem = Assert.Single(options.Validate());

        Assert.Contains("Engine:JournalRetention", problem, StringComparison.Ordinal);
        Assert.Contains("Engine:JournalPruneInterval", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_journal_is_kept_an_hour_by_default_pruned_every_minute_and_a_zero_retention_is_accepted()
    {
        var defaults = new EngineOptions();

        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)), (defaults.JournalRetention, defaults.JournalPruneInterval));
        Assert.Empty(new EngineOptions { JournalRetention = TimeSpan.Zero, JournalPruneInterval = TimeSpan.FromMilliseconds(10) }.Validate());
    }
}
