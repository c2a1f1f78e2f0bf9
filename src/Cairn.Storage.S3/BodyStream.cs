using System.Runtime.InteropServices;

namespace Cairn.Storage.S3;

/// <summary>
/// A seekable read-only stream over caller memory, so a PUT body is sent without copying it. The
/// SDK needs a seekable stream to hash the payload for SigV4 before sending it.
/// </summary>
internal static class BodyStream
{
    /// <summary>A stream over <paramref name="data"/>: the array itself when there is one, else a copy.</summary>
    public static MemoryStream Over(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false, publiclyVisible: false)
            : new MemoryStream(data.ToArray(), writable: false);
}
