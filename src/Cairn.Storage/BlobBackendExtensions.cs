using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>Conveniences built on the <see cref="IBlobBackend"/> calls, the same for every backend.</summary>
public static class BlobBackendExtensions
{
    /// <summary>
    /// Names of all blobs whose name starts with <paramref name="prefix"/>, in ordinal order, read
    /// page by page (<see cref="BlobLimits.MaxListPage"/> at a time), so memory stays at one page.
    /// </summary>
    public static async IAsyncEnumerable<string> ListAsync(this IBlobBackend backend, string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        await foreach (var entry in backend.ListEntriesAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return entry.Name;
        }
    }

    /// <summary>Like <see cref="ListAsync"/>, with each blob's length.</summary>
    public static async IAsyncEnumerable<BlobListEntry> ListEntriesAsync(this IBlobBackend backend, string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        BlobName.ThrowIfInvalidPrefix(prefix);
        string? startAfter = null;
        do
        {
            var page = await backend.ListPageAsync(prefix, startAfter, BlobLimits.MaxListPage, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Entries)
            {
                yield return entry;
            }
            // A backend that returned a cursor equal to the one it was given would loop forever.
            if (page.NextStartAfter is not null && startAfter is not null && string.CompareOrdinal(page.NextStartAfter, startAfter) <= 0)
            {
                throw new BlobBackendException($"The listing of '{prefix}' did not advance past '{startAfter}'.", isTransient: false);
            }
            startAfter = page.NextStartAfter;
        }
        while (startAfter is not null);
    }

    /// <summary>A whole blob, small enough for one array (documents, segments; never a chunk stream).</summary>
    /// <exception cref="BlobNotFoundException">There is no such blob.</exception>
    /// <exception cref="BlobBackendException">The blob came back shorter than its length (changed while read).</exception>
    public static async ValueTask<byte[]> ReadAllAsync(this IBlobBackend backend, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var length = await backend.GetLengthAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(name);
        var buffer = new byte[length];
        if (await backend.ReadFullyAsync(name, 0, buffer, cancellationToken).ConfigureAwait(false) is var total && total < buffer.Length)
        {
            throw new BlobBackendException($"'{name}' ended at {total} of its {length} bytes.", isTransient: true);
        }
        return buffer;
    }

    /// <summary>
    /// Deletes any number of blobs in batches of <see cref="BlobLimits.MaxDeleteBatch"/> (one
    /// <see cref="IBlobBackend.DeleteManyAsync"/> call each) and returns every name that could not be deleted.
    /// </summary>
    public static async ValueTask<IReadOnlyList<BlobDeleteFailure>> DeleteAllAsync(this IBlobBackend backend, IEnumerable<string> names,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(names);
        var failures = new List<BlobDeleteFailure>();
        var batch = new List<string>(BlobLimits.MaxDeleteBatch);
        foreach (var name in names)
        {
            batch.Add(name);
            if (batch.Count == BlobLimits.MaxDeleteBatch)
            {
                failures.AddRange(await backend.DeleteManyAsync(batch.ToArray(), cancellationToken).ConfigureAwait(false));
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            failures.AddRange(await backend.DeleteManyAsync(batch.ToArray(), cancellationToken).ConfigureAwait(false));
        }
        return failures;
    }

    /// <summary>
    /// Checks that the backend really refuses a second create of one name: creates
    /// <paramref name="probeName"/> with <see cref="IBlobBackend.PutIfAbsentAsync"/>, tries again, and
    /// deletes it. False when the second create also succeeded, as with an S3 upstream that ignores
    /// <c>If-None-Match</c> instead of refusing it (which per call is undetectable). For a startup
    /// check; pass a name no one else uses.
    /// </summary>
    public static async ValueTask<bool> ProbeConditionalCreateAsync(this IBlobBackend backend, string probeName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        BlobName.ThrowIfInvalid(probeName);
        try
        {
            var first = await backend.PutIfAbsentAsync(probeName, "first"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            var second = await backend.PutIfAbsentAsync(probeName, "second"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            return first && !second;
        }
        finally
        {
            await backend.DeleteAsync(probeName, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Fills <paramref name="target"/> from <paramref name="offset"/> of the blob, read after read (a
    /// backend may return fewer bytes than asked); returns how many it got, fewer only where the blob ends.
    /// </summary>
    public static async ValueTask<int> ReadFullyAsync(this IBlobBackend backend, string name, long offset, Memory<byte> target,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var total = 0;
        while (total < target.Length)
        {
            var read = await backend.ReadAsync(name, offset + total, target[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
