namespace Cairn.Storage;

/// <summary>Settings of <see cref="FileSystemBlobBackend"/>, bound from section <c>FileSystemBlobBackend</c>.</summary>
public sealed class FileSystemBlobBackendOptions
{
    /// <summary>Directory that holds every blob; created when missing. Required, no default.</summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>
    /// Fsync a directory after creating, renaming into or deleting from it, so the entry itself survives
    /// a power loss, not only the file's bytes. Default true; turn off only for tests and scratch data.
    /// </summary>
    public bool FsyncDirectories { get; set; } = true;
}
