namespace Cairn.Storage;

/// <summary>Turns filesystem exceptions into the neutral <see cref="BlobBackendException"/>.</summary>
internal static class FileSystemErrors
{
    // Linux errno values. On Unix .NET puts the raw errno in IOException.HResult.
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EBusy = 16;
    private const int ENoSpc = 28;
    private const int ETimedOut = 110;
    private const int EDQuot = 122;

    // Windows error codes, carried in the low 16 bits of an HRESULT (0x8007xxxx).
    private const int ErrorSharingViolation = 32;
    private const int ErrorLockViolation = 33;
    private const int ErrorHandleDiskFull = 39;
    private const int ErrorDiskFull = 112;

    /// <summary>Wraps <paramref name="exception"/> for the failed <paramref name="operation"/> on <paramref name="path"/>.</summary>
    public static BlobBackendException Wrap(Exception exception, string operation, string path) =>
        new($"Filesystem {operation} of '{path}' failed: {exception.Message}", IsTransient(exception), exception);

    /// <summary>
    /// True for failures worth retrying: interrupted or busy calls, timeouts, files locked by another
    /// process, and a full disk or quota. A full disk is counted transient on purpose: the GC frees
    /// space, and the S3 layer should answer 503 (retry later) rather than 500.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        if (exception is not IOException io || exception is FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        {
            return false;
        }
        var code = io.HResult;
        if (OperatingSystem.IsWindows())
        {
            return (code & 0xFFFF) is ErrorSharingViolation or ErrorLockViolation or ErrorHandleDiskFull or ErrorDiskFull;
        }
        return code is EIntr or EAgain or EBusy or ENoSpc or ETimedOut or EDQuot;
    }
}
