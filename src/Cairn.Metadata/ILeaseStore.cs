namespace Cairn.Metadata;

/// <summary>
/// Named leases held in the catalog, so that singleton background work (the sweeper, the
/// abandoned-upload cleaner, later the MST committer and lifecycle) runs on one node at a time.
/// Expiry is judged by the database's clock, never a node's: nodes whose clocks disagree still
/// agree on who holds a lease.
/// </summary>
/// <remarks>
/// A holder renews by calling <see cref="TryAcquireAsync"/> again before its lease expires. A node
/// that dies stops renewing, and after the time to live any other node acquires the lease. Every
/// change of holder increments <see cref="Lease.Generation"/>, a fencing number: work that checks
/// it can tell a lease it held from the lease it holds now.
/// </remarks>
public interface ILeaseStore
{
    /// <summary>
    /// Acquires the lease for <paramref name="holder"/>, or extends it when the holder has it
    /// already, to expire <paramref name="timeToLive"/> after the database's current time. Null
    /// when another holder has an unexpired lease (nothing changes then).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The time to live is not positive.</exception>
    ValueTask<Lease?> TryAcquireAsync(string name, string holder, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Gives the lease up at once, if <paramref name="lease"/> is still the current one. False when it was not.</summary>
    ValueTask<bool> ReleaseAsync(Lease lease, CancellationToken cancellationToken);

    /// <summary>Every lease ever taken, expired or not, by name, with the database's time of the reading.</summary>
    ValueTask<LeaseListing> ListLeasesAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A lease as granted: its holder, the fencing <paramref name="Generation"/> (one more at every
/// change of holder), and when it expires by the database's clock.
/// </summary>
public sealed record Lease(string Name, string Holder, long Generation, DateTimeOffset ExpiresAt);

/// <summary>The leases and the database's time at which they were read (to tell expired from held).</summary>
public sealed record LeaseListing(IReadOnlyList<Lease> Leases, DateTimeOffset DatabaseNow);
