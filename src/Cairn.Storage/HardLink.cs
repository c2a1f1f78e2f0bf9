using System.Runtime.InteropServices;

namespace Cairn.Storage;

/// <summary>
/// link(2), the one atomic "create this name only if it is free" for a file whose bytes are already
/// written: it fails with EEXIST when the name exists, so of two racing creators exactly one wins.
/// </summary>
/// <remarks>
/// <see cref="File.Move(string, string, bool)"/> without overwrite is not enough: two racing moves
/// in .NET 10 were both seen to succeed (the conformance suite's racing put-if-absent test), the
/// later one replacing the earlier file.
/// </remarks>
internal static partial class HardLink
{
    private const int EIntr = 4;
    private const int EExist = 17;

    /// <summary>
    /// Links <paramref name="existing"/> under <paramref name="newPath"/>; false when
    /// <paramref name="newPath"/> already exists. Other failures throw <see cref="IOException"/>
    /// carrying errno (so <see cref="FileSystemErrors"/> classifies them).
    /// </summary>
    public static bool TryCreate(string existing, string newPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            return TryMoveCopy(existing, newPath);
        }
        int result;
        int errno;
        do
        {
            result = Link(existing, newPath);
            errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (result < 0 && errno == EIntr);
        if (result == 0)
        {
            return true;
        }
        if (errno == EExist)
        {
            return false;
        }
        throw new IOException($"link() of '{existing}' to '{newPath}' failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).", errno);
    }

    /// <summary>Elsewhere (development machines only): the best the framework offers.</summary>
    private static bool TryMoveCopy(string existing, string newPath)
    {
        try
        {
            File.Copy(existing, newPath, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(newPath))
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string newPath);
}
