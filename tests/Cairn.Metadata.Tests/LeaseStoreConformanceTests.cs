namespace Cairn.Metadata.Tests;

/// <summary>
/// Leases (<see cref="ILeaseStore"/>): one holder at a time, extended by its holder, taken over after
/// the time to live by the database's clock, fenced by a generation that grows at every new tenure.
/// Expiry here runs on real time, so the times to live are short and the waits generous.
/// </summary>
public abstract class LeaseStoreConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    private ILeaseStore Leases => Catalog.Leases;

    [Fact(Timeout = 10_000)]
    public async Task A_free_lease_goes_to_the_first_holder_and_is_refused_to_the_next()
    {
        // Act
        var first = await Leases.TryAcquireAsync("sweeper", "node-a", Long, Ct);
        var second = await Leases.TryAcquireAsync("sweeper", "node-b", Long, Ct);

        // Assert
        Assert.NotNull(first);
        Assert.Equal("node-a", first.Holder);
        Assert.Equal(1, first.Generation);
        Assert.Null(second);
        var listing = await Leases.ListLeasesAsync(Ct);
        var lease = Assert.Single(listing.Leases);
        Assert.Equal(first, lease);
        Assert.True(lease.ExpiresAt > listing.DatabaseNow);
    }

    [Fact(Timeout = 10_000)]
    public async Task The_holder_extends_its_lease_and_keeps_its_generation()
    {
        // Arrange
        var first = await Leases.TryAcquireAsync("sweeper", "node-a", Short, Ct);

        // Act
        var renewed = await Leases.TryAcquireAsync("sweeper", "node-a", Long, Ct);

        // Assert
        Assert.NotNull(first);
        Assert.NotNull(renewed);
        Assert.Equal(first.Generation, renewed.Generation);
        Assert.True(renewed.ExpiresAt > first.ExpiresAt);
        await Task.Delay(Short * 2);
        Assert.Null(await Leases.TryAcquireAsync("sweeper", "node-b", Long, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task An_expired_lease_is_taken_over_with_the_next_generation()
    {
        // Arrange
        var dead = await Leases.TryAcquireAsync("sweeper", "node-a", Short, Ct);
        Assert.NotNull(dead);

        // Act: node-a stops renewing.
        Lease? taken = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (taken is null && DateTime.UtcNow < deadline)
        {
            taken = await Leases.TryAcquireAsync("sweeper", "node-b", Long, Ct);
            if (taken is null)
            {
                await Task.Delay(50);
            }
        }

        // Assert: taken no earlier than the expiry node-a was granted, by the database's clock.
        Assert.NotNull(taken);
        Assert.Equal("node-b", taken.Holder);
        Assert.Equal(dead.Generation + 1, taken.Generation);
        Assert.True((await Leases.ListLeasesAsync(Ct)).DatabaseNow >= dead.ExpiresAt);
        Assert.False(await Leases.ReleaseAsync(dead, Ct));
        Assert.Null(await Leases.TryAcquireAsync("sweeper", "node-a", Long, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_released_lease_is_free_at_once_and_a_stale_release_changes_nothing()
    {
        // Arrange
        var first = await Leases.TryAcquireAsync("sweeper", "node-a", Long, Ct);
        Assert.NotNull(first);

        // Act
        var released = await Leases.ReleaseAsync(first, Ct);
        var next = await Leases.TryAcquireAsync("sweeper", "node-b", Long, Ct);
        var staleRelease = await Leases.ReleaseAsync(first, Ct);

        // Assert
        Assert.True(released);
        Assert.NotNull(next);
        Assert.Equal(first.Generation + 1, next.Generation);
        Assert.False(staleRelease);
        Assert.Equal("node-b", Assert.Single((await Leases.ListLeasesAsync(Ct)).Leases).Holder);
    }

    [Fact(Timeout = 10_000)]
    public async Task Leases_of_different_names_are_independent()
    {
        // Act
        var sweeper = await Leases.TryAcquireAsync("sweeper", "node-a", Long, Ct);
        var cleaner = await Leases.TryAcquireAsync("cleaner", "node-b", Long, Ct);

        // Assert
        Assert.NotNull(sweeper);
        Assert.NotNull(cleaner);
        Assert.Equal(["cleaner", "sweeper"], (await Leases.ListLeasesAsync(Ct)).Leases.Select(static l => l.Name));
    }

    [Fact(Timeout = 20_000)]
    public async Task Racing_acquirers_get_one_lease_between_them()
    {
        // Act: many holders at once, each on its own catalog over the same database (as nodes are).
        var catalogs = new List<MetadataCatalog>();
        for (var i = 0; i < 8; i++)
        {
            catalogs.Add(await Target.OpenAsync());
        }
        try
        {
            var grants = await Task.WhenAll(catalogs.Select((catalog, i) =>
                Task.Run(async () => await catalog.Leases.TryAcquireAsync("race", "node-" + i, Long, Ct))));

            // Assert
            var winner = Assert.Single(grants, static g => g is not null);
            Assert.Equal(winner!.Holder, Assert.Single((await Leases.ListLeasesAsync(Ct)).Leases).Holder);
        }
        finally
        {
            foreach (var catalog in catalogs)
            {
                await catalog.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task A_time_to_live_that_is_not_positive_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await Leases.TryAcquireAsync("sweeper", "node-a", TimeSpan.Zero, Ct));
        Assert.Empty((await Leases.ListLeasesAsync(Ct)).Leases);
    }
}
