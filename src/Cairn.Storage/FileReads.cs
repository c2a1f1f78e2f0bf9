namespace Cairn.Storage;

/// <summary>Positional reads of local files, shared by the blob and segment stores.</summary>
internal static class FileReads
{
    /// <summary>
    /// Opens <paramref name="path"/> and reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>
    /// (fewer only at the end of the file). The caller maps a missing file to its own exception.
    /// </summary>
    public static async ValueTask<int> ReadAtAsync(string path, FileShare share, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, share, FileOptions.Asynchronous);
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer[total..], offset + total, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
