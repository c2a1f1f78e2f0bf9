namespace Cairn.Engine;

/// <summary>A temporary file that lives as long as its open stream and never outlives the process.</summary>
internal static class ScratchFile
{
    /// <summary>
    /// A new, empty file in <paramref name="directory"/> (made if missing) named <c>cairn-NAME-GUID.EXTENSION</c>,
    /// open for reading and writing; it is gone once the stream is closed.
    /// </summary>
    public static FileStream Create(string directory, string name, string extension)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"cairn-{name}-{Guid.NewGuid():N}.{extension}");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            // Off Windows, DeleteOnClose is the runtime's doing when the stream is closed, so a killed
            // process would leave the file behind; unlinked now, the open stream keeps it until closed
            // and the system reclaims it whatever way the process ends (Windows' DeleteOnClose already does).
            File.Delete(path);
        }
        return file;
    }
}
