using Amazon.S3.Model;
using Cairn.Engine;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// The journal pruner as the server wires it (issue 13): its settings are read, it runs under its
/// lease, and it waits for the archive exactly when <c>Archive:*</c> is set: without an archive the
/// journal is pruned behind the retention; with one whose uploads all fail, nothing is.
/// </summary>
[Trait("Issue", "13")]
public sealed class JournalPruningServerTests
{
    private static readonly string[] FastPruning = ["--Engine:JournalRetention=00:00:00", "--Engine:JournalPruneInterval=00:00:00.05"];

    [Fact(Timeout = 60_000)]
    public async Task Without_an_archive_the_journal_is_pruned_behind_the_retention_and_the_settings_are_read()
    {
        // Arrange
        await using var server = await CairnServer.StartAsync([.. FastPruning, "--Engine:ArchiveInterval=00:00:07", "--Engine:ArchiveLagAlert=00:09:00"]);
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);

        // Act
        for (var i = 0; i < 3; i++)
        {
            await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"k{i}", ContentBody = "body" });
        }
        var journal = await Poll.UntilAsync(() => ReadJournalAsync(server, bucket), static entries => entries.Count == 0, TimeSpan.FromSeconds(20));

        // Assert
        Assert.Empty(journal);
        var options = server.Services.GetRequiredService<EngineOptions>();
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMilliseconds(50)), (options.JournalRetention, options.JournalPruneInterval));
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromMinutes(9)), (options.ArchiveInterval, options.ArchiveLagAlert));
        Assert.False(Pruner(server).UntilArchived);
        using var body = await server.Client.GetObjectAsync(bucket, "k2");
        Assert.Equal("body", await new StreamReader(body.ResponseStream).ReadToEndAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task With_an_archive_that_cannot_be_reached_nothing_is_pruned()
    {
        // Arrange: nothing listens on port 1, so every upload fails and nothing is confirmed archived.
        await using var server = await CairnServer.StartAsync([.. FastPruning, "--Archive:Endpoint=http://127.0.0.1:1", "--Archive:Bucket=archive",
            "--Archive:PathStyle=true", "--Archive:AccessKey=key", "--Archive:SecretKey=secret", "--Engine:ArchiveInterval=00:00:00.05"]);
        var bucket = CairnServer.NewBucketName();
        await server.Client.PutBucketAsync(bucket);
        for (var i = 0; i < 3; i++)
        {
            await server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"k{i}", ContentBody = "body" });
        }
        var pruner = Pruner(server);

        // Act: wait for the pruner to run after the writes, several times.
        var firstStatus = await Poll.UntilAsync(() => Task.FromResult(pruner.Status), static s => s.StartsWith("last run", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20));
        await Poll.UntilAsync(() => Task.FromResult(pruner.Status), s => s != firstStatus, TimeSpan.FromSeconds(20));
        await Task.Delay(300);

        // Assert
        Assert.True(pruner.UntilArchived);
        Assert.Equal([1L, 2, 3], (await ReadJournalAsync(server, bucket)).Select(static e => e.Seq));
        Assert.EndsWith(": 0 journal entries pruned", pruner.Status, StringComparison.Ordinal);
    }

    private static JournalPruner Pruner(CairnServer server) => server.Services.GetServices<IWorker>().OfType<JournalPruner>().Single();

    private static async Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(CairnServer server, string bucket) =>
        await server.Services.GetRequiredService<IObjectCatalog>().ReadJournalAsync(bucket, 0, 1000, CancellationToken.None);
}
