using System.Runtime.InteropServices;

namespace Cairn.Storage;

/// <summary>
/// Fsync of a directory, which makes a file creation, rename or unlink in it durable.
/// .NET cannot open a directory as a <see cref="FileStream"/> on Linux, so this calls libc directly.
/// </summary>
/// <remarks>
/// Without it a rename can be lost on power failure even though the file's bytes were flushed
/// (fsync(2): "Calling fsync() does not necessarily ensure that the entry in the directory
/// containing the file has also reached disk. For that an explicit fsync() on a file descriptor
/// for the directory is also needed."). Other systems are skipped: only Linux is a deployment target.
/// </remarks>
public static partial class DirectorySync
{
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;
    private const int EIntr = 4;

    // O_DIRECTORY differs by architecture: 0200000 on x86/x64, 040000 on arm and arm64 (asm/fcntl.h).
    private static readonly int ODirectory =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x4000 : 0x10000;

    /// <summary>True where directory fsync is implemented (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Fsyncs <paramref name="directory"/>; throws <see cref="IOException"/> carrying errno on failure.</summary>
    public static void Fsync(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        int fd;
        do
        {
            fd = Open(directory, ORdOnly | ODirectory | OCloExec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EIntr);
        if (fd < 0)
        {
            ThrowErrno("open", directory, Marshal.GetLastPInvokeError());
        }
        var fsyncResult = FsyncFd(fd);
        var fsyncErrno = fsyncResult < 0 ? Marshal.GetLastPInvokeError() : 0;
        // close(2): never retry close on EINTR; the descriptor is released either way.
        var closeResult = Close(fd);
        var closeErrno = closeResult < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (fsyncResult < 0)
        {
            ThrowErrno("fsync", directory, fsyncErrno);
        }
        if (closeResult < 0 && closeErrno != EIntr)
        {
            ThrowErrno("close", directory, closeErrno);
        }
    }

    private static void ThrowErrno(string call, string directory, int errno) =>
        throw new IOException($"{call}() of directory '{directory}' failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).", errno);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
