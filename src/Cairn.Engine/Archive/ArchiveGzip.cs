using System.IO.Compression;

namespace Cairn.Engine.Archive;

/// <summary>The gzip every archive file is stored in (journal segments, bucket-state documents).</summary>
internal static class ArchiveGzip
{
    /// <summary>Fastest: the archiver runs beside the PUT path, and JSON compresses well at any level.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return compressed.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not gzip (or are cut short).</exception>
    public static byte[] Decompress(ReadOnlySpan<byte> stored, string what)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(stored.ToArray()), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"The {what} is not gzip: {ex.Message}", ex);
        }
    }
}
