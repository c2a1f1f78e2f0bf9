using System.Runtime.CompilerServices;
using Cairn.Core;

namespace Cairn.Storage;

/// <summary>
/// The hot backend and the named cold tiers (issue 13) behind one <see cref="IBlobBackend"/>, routed
/// by blob name: a name <c>tiers/&lt;segment&gt;/&lt;name&gt;</c> (<see cref="NameIn"/>) is blob
/// <c>&lt;name&gt;</c> of the tier whose name has that segment, every other name is the hot backend's.
/// So a chunk moved to a tier is read, deleted and swept through the same calls as any other.
/// </summary>
/// <remarks>
/// <para>
/// A tier's store holds the ordinary names (<c>chunks/...</c> under its own key prefix), so a tier
/// bucket reads like a gateway bucket. A name under <c>tiers/</c> whose tier is not configured (a
/// tier removed from the settings while blobs remain in it) fails with a permanent
/// <see cref="BlobBackendException"/> naming the tier; a name under <c>tiers/</c> that names no
/// blob in a tier (<c>tiers/cold</c>) is an invalid argument.
/// </para>
/// <para>
/// Listing (<see cref="ListPageAsync"/>) does not merge stores: a prefix under
/// <c>tiers/&lt;segment&gt;/</c> lists that tier, any other prefix (the empty one too) lists the hot
/// backend only. <see cref="ListMultipartUploadsAsync"/> does merge: a cleaner must see the uploads
/// left in every store.
/// </para>
/// <para>
/// It owns none of the backends: whoever built them disposes them (the server's
/// <c>BlobStorage.Owner</c> walks <see cref="Hot"/> and <see cref="Tiers"/>). Decorators go inside,
/// per store (each tier retried and counted alone), and around it (metering the engine's calls).
/// </para>
/// </remarks>
public sealed partial class TieredBlobBackend : IBlobBackend
{
    private readonly IBlobBackend _hot;
    private readonly Dictionary<string, Tier> _bySegment = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tier>.AlternateLookup<ReadOnlySpan<char>> _segments;

    /// <summary>
    /// Routes to <paramref name="hot"/> and to each of <paramref name="tiers"/> (tier name to its
    /// store). The names must pass <see cref="ThrowIfInvalidTierNames"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid tier name, or two with the same segment.</exception>
    public TieredBlobBackend(IBlobBackend hot, IReadOnlyDictionary<string, IBlobBackend> tiers)
    {
        ArgumentNullException.ThrowIfNull(hot);
        ArgumentNullException.ThrowIfNull(tiers);
        ThrowIfInvalidTierNames(tiers.Keys);
        _hot = hot;
        foreach (var (name, backend) in tiers)
        {
            ArgumentNullException.ThrowIfNull(backend, $"tiers[{name}]");
            var segment = SegmentOfValid(name);
            _bySegment.Add(segment, new Tier(NamePrefix + segment + "/", backend));
        }
        _segments = _bySegment.GetAlternateLookup<ReadOnlySpan<char>>();
        Tiers = tiers.ToDictionary(StringComparer.Ordinal);
    }

    /// <summary>The store of every name outside <c>tiers/</c>.</summary>
    public IBlobBackend Hot => _hot;

    /// <summary>The tiers by name, as configured (case kept).</summary>
    public IReadOnlyDictionary<string, IBlobBackend> Tiers { get; }

    /// <inheritdoc />
    public ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Route(name, out var local).PutAsync(local, data, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Route(name, out var local).PutIfAbsentAsync(local, data, cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var backend = Route(name, out var local);
        return ReferenceEquals(backend, _hot)
            ? backend.ReadAsync(name, offset, buffer, cancellationToken)
            : ReadFromTierAsync(backend, name, local, offset, buffer, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<long?> GetLengthAsync(string name, CancellationToken cancellationToken) =>
        Route(name, out var local).GetLengthAsync(local, cancellationToken);

    /// <inheritdoc />
    public ValueTask DeleteAsync(string name, CancellationToken cancellationToken) =>
        Route(name, out var local).DeleteAsync(local, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// One request per store the batch touches. Failures name the blobs as the caller named them. A
    /// name of an unconfigured tier is a permanent per-name failure, and when the batch spans several
    /// stores a store whose request failed as a whole reports each of its names as failed instead of
    /// throwing: a tier that is down must not hide that the hot blobs of the same batch are gone.
    /// </remarks>
    public async ValueTask<IReadOnlyList<BlobDeleteFailure>> DeleteManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        BlobArguments.ThrowIfInvalidDeleteBatch(names);
        var groups = new Dictionary<IBlobBackend, (List<string> Local, List<string> Full)>(ReferenceEqualityComparer.Instance);
        var failures = new List<BlobDeleteFailure>();
        foreach (var name in names)
        {
            IBlobBackend backend;
            string local;
            try
            {
                backend = Route(name, out local);
            }
            catch (BlobBackendException ex)
            {
                failures.Add(new BlobDeleteFailure(name, ex.Message, IsTransient: false));
                continue;
            }
            if (!groups.TryGetValue(backend, out var group))
            {
                groups[backend] = group = ([], []);
            }
            group.Local.Add(local);
            group.Full.Add(name);
        }
        var several = groups.Count > 1 || failures.Count > 0;
        foreach (var (backend, group) in groups)
        {
            IReadOnlyList<BlobDeleteFailure> failed;
            try
            {
                failed = await backend.DeleteManyAsync(group.Local, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageFailureException ex) when (several)
            {
                foreach (var name in group.Full)
                {
                    failures.Add(new BlobDeleteFailure(name, ex.Message, ex.IsTransient));
                }
                continue;
            }
            failures.AddRange(ReferenceEquals(backend, _hot) ? failed : FullNames(failed, group.Local, group.Full));
        }
        return failures;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A prefix under <c>tiers/&lt;segment&gt;/</c> lists that tier, names given back in full. Any other
    /// prefix, the empty one included, lists the hot backend only: merging stores page by page would
    /// cost a request to every tier for each page, and nothing walks the whole store across tiers.
    /// </remarks>
    public ValueTask<BlobListPage> ListPageAsync(string prefix, string? startAfter, int maxCount, CancellationToken cancellationToken)
    {
        if (prefix is null || !prefix.StartsWith(NamePrefix, StringComparison.Ordinal) || prefix.IndexOf('/', NamePrefix.Length) < 0)
        {
            return _hot.ListPageAsync(prefix!, startAfter, maxCount, cancellationToken);
        }
        var slash = prefix.IndexOf('/', NamePrefix.Length);
        BlobArguments.ThrowIfInvalidListPage(prefix, maxCount);
        var tier = FindTier(prefix, prefix.AsSpan(NamePrefix.Length, slash - NamePrefix.Length));
        return ListTierPageAsync(tier, prefix, startAfter, maxCount, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<string> BeginMultipartAsync(string name, CancellationToken cancellationToken) =>
        Route(name, out var local).BeginMultipartAsync(local, cancellationToken);

    /// <inheritdoc />
    public ValueTask<BlobPart> UploadPartAsync(string name, string uploadId, int partNumber, ReadOnlyMemory<byte> data,
        CancellationToken cancellationToken) =>
        Route(name, out var local).UploadPartAsync(local, uploadId, partNumber, data, cancellationToken);

    /// <inheritdoc />
    public ValueTask CompleteMultipartAsync(string name, string uploadId, IReadOnlyList<BlobPart> parts, CancellationToken cancellationToken) =>
        Route(name, out var local).CompleteMultipartAsync(local, uploadId, parts, cancellationToken);

    /// <inheritdoc />
    public ValueTask AbortMultipartAsync(string name, string uploadId, CancellationToken cancellationToken) =>
        Route(name, out var local).AbortMultipartAsync(local, uploadId, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The hot backend's uploads, then each tier's whose names can start with <paramref name="prefix"/>,
    /// names given back in full. A prefix under <c>tiers/&lt;segment&gt;/</c> lists that tier alone.
    /// </remarks>
    public async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalidPrefix(prefix);
        var slash = prefix.StartsWith(NamePrefix, StringComparison.Ordinal) ? prefix.IndexOf('/', NamePrefix.Length) : -1;
        if (slash >= 0)
        {
            var tier = FindTier(prefix, prefix.AsSpan(NamePrefix.Length, slash - NamePrefix.Length));
            await foreach (var upload in ListTierUploadsAsync(tier, prefix[tier.Prefix.Length..], cancellationToken).ConfigureAwait(false))
            {
                yield return upload;
            }
            yield break;
        }
        await foreach (var upload in _hot.ListMultipartUploadsAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return upload;
        }
        foreach (var tier in _bySegment.Values)
        {
            if (tier.Prefix.StartsWith(prefix, StringComparison.Ordinal))
            {
                await foreach (var upload in ListTierUploadsAsync(tier, "", cancellationToken).ConfigureAwait(false))
                {
                    yield return upload;
                }
            }
        }
    }

    /// <summary>The store of <paramref name="name"/> and the name it has there.</summary>
    private IBlobBackend Route(string name, out string local)
    {
        if (name is null || !name.StartsWith(NamePrefix, StringComparison.Ordinal))
        {
            // The hot backend checks the name itself, as it would without tiers.
            local = name!;
            return _hot;
        }
        return RouteToTier(name, out local);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private IBlobBackend RouteToTier(string name, out string local)
    {
        // Checked whole before the tier is looked up: a bad name is a caller bug wherever it points.
        BlobName.ThrowIfInvalid(name);
        var slash = name.IndexOf('/', NamePrefix.Length);
        if (slash < 0)
        {
            throw new ArgumentException($"'{name}' is under {NamePrefix} but names no blob in a tier ({NamePrefix}<tier>/<name>).", nameof(name));
        }
        var tier = FindTier(name, name.AsSpan(NamePrefix.Length, slash - NamePrefix.Length));
        local = name[(slash + 1)..];
        return tier.Backend;
    }

    private Tier FindTier(string target, ReadOnlySpan<char> segment) =>
        _segments.TryGetValue(segment, out var tier) ? tier : throw UnknownTier(target, segment.ToString());

    private static BlobBackendException UnknownTier(string target, string segment) =>
        new($"'{target}' is in cold tier '{segment}', which is not configured (no Tiers:<NAME> setting has that name).", isTransient: false);

    private static async ValueTask<int> ReadFromTierAsync(IBlobBackend tier, string name, string local, long offset, Memory<byte> buffer,
        CancellationToken cancellationToken)
    {
        try
        {
            return await tier.ReadAsync(local, offset, buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            // The caller knows the blob by its full name (the delete queue, the chunk catalog, logs).
            throw new BlobNotFoundException(name);
        }
    }

    private static async ValueTask<BlobListPage> ListTierPageAsync(Tier tier, string prefix, string? startAfter, int maxCount,
        CancellationToken cancellationToken)
    {
        string? localStartAfter = null;
        if (!string.IsNullOrEmpty(startAfter))
        {
            if (startAfter.StartsWith(tier.Prefix, StringComparison.Ordinal))
            {
                localStartAfter = startAfter[tier.Prefix.Length..];
            }
            else if (string.CompareOrdinal(startAfter, tier.Prefix) > 0)
            {
                // Past every name under the tier's prefix (it sorts after the prefix without starting with it).
                return BlobListPage.Empty;
            }
        }
        var page = await tier.Backend.ListPageAsync(prefix[tier.Prefix.Length..], localStartAfter, maxCount, cancellationToken).ConfigureAwait(false);
        var entries = new BlobListEntry[page.Entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = page.Entries[i] with { Name = tier.Prefix + page.Entries[i].Name };
        }
        return new BlobListPage(entries, page.NextStartAfter is null ? null : tier.Prefix + page.NextStartAfter);
    }

    private static async IAsyncEnumerable<BlobMultipartUpload> ListTierUploadsAsync(Tier tier, string localPrefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var upload in tier.Backend.ListMultipartUploadsAsync(localPrefix, cancellationToken).ConfigureAwait(false))
        {
            yield return upload with { Name = tier.Prefix + upload.Name };
        }
    }

    private static IEnumerable<BlobDeleteFailure> FullNames(IReadOnlyList<BlobDeleteFailure> failures, List<string> local, List<string> full)
    {
        if (failures.Count == 0)
        {
            return [];
        }
        var byLocal = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < local.Count; i++)
        {
            byLocal.TryAdd(local[i], full[i]);
        }
        var mapped = new List<BlobDeleteFailure>(failures.Count);
        foreach (var failure in failures)
        {
            // A store naming a blob it was not asked about is passed on as it spelled it rather than dropped.
            mapped.Add(byLocal.TryGetValue(failure.Name, out var name) ? failure with { Name = name } : failure);
        }
        return mapped;
    }

    /// <param name="Prefix"><c>tiers/&lt;segment&gt;/</c>.</param>
    /// <param name="Backend">The tier's store.</param>
    private sealed record Tier(string Prefix, IBlobBackend Backend);
}
