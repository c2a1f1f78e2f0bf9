namespace Cairn.Storage;

/// <summary>
/// Local, append-only segments (issue 12): the files packs are written into before they are
/// sealed and shipped to the blob store. Unlike blobs they grow; bytes are durable once a
/// <see cref="SegmentWriter.FlushAsync"/> covers them, and survive a crash exactly that far (a
/// crash may also leave some later bytes, which the pack format's record checks find). Segment
/// names come from generated ids: <c>[a-z0-9-]</c>, 1 to 64 characters (invariant 6).
/// </summary>
public interface ISegmentStore
{
    /// <summary>Creates an empty segment and returns its writer. Throws <see cref="IOException"/> when the name exists.</summary>
    ValueTask<SegmentWriter> CreateAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Reopens a segment for appending after a restart: it is cut to <paramref name="length"/> (where
    /// its last whole record ends) and that much is taken as durable. Throws <see cref="BlobNotFoundException"/> when missing.
    /// </summary>
    ValueTask<SegmentWriter> ResumeAsync(string name, long length, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/> (fewer only at the end).
    /// Reads see every byte an append has written, durable or not. Throws <see cref="BlobNotFoundException"/> when missing.
    /// </summary>
    ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>The segment as a readable stream from its start (to scan or ship it). Throws <see cref="BlobNotFoundException"/> when missing.</summary>
    ValueTask<Stream> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every segment's name, in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a segment; a missing one is not an error.</summary>
    ValueTask DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Bytes all segments hold together, counted when asked (the local store's use, a gauge in gateway mode).</summary>
    long GetUsedBytes();
}

/// <summary>Checks segment names.</summary>
public static class SegmentName
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is 1 to 64 of <c>[a-z0-9-]</c>.</summary>
    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 64 || !name.All(static c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            throw new ArgumentException($"'{name}' is not a segment name: 1 to 64 of [a-z0-9-].", nameof(name));
        }
    }
}
