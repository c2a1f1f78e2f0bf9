using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Cairn.Metadata.Sqlite;

/// <summary>
/// Makes SQLite's waits as short as SQLite means them to be.
/// </summary>
/// <remarks>
/// <para>The e_sqlite3 library of SQLitePCLRaw 2.0.6 (the newest the package mirror serves) is built
/// without <c>HAVE_USLEEP</c>, so on Unix every sleep inside SQLite lasts whole seconds
/// (https://www.sqlite.org/compile.html#have_usleep): a reader that retries opening its WAL snapshot
/// a few times while the writer commits, or a writer that waits out a lock held for microseconds,
/// stalls for one second. Under group commit with concurrent lookups that happened a few times a
/// minute (1.0 s maximum latency against 10–40 ms at the 99th percentile).</para>
/// <para>Two repairs, both what a build with <c>HAVE_USLEEP</c> does: the default VFS's
/// <c>xSleep</c> is pointed at <c>usleep</c> (process-wide, once; Windows builds sleep in
/// milliseconds already), and each connection gets a busy handler with SQLite's own schedule of
/// short waits (1, 2, 5, ... 100 ms) up to the busy timeout, instead of
/// <c>PRAGMA busy_timeout</c>, whose handler in such a build sleeps one second per attempt.</para>
/// </remarks>
internal static unsafe class SqliteWaits
{
    private const string SqliteLibrary = "e_sqlite3";

    // sqliteDefaultBusyCallback's schedule (main.c): the wait before each retry, and the total so far.
    private static readonly byte[] s_delays = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    private static readonly byte[] s_totals = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228];

    private static int s_sleepPatched;

    /// <summary>Points the default VFS's sleep at <c>usleep</c>; once per process, before the first connection.</summary>
    public static void UseMicrosecondSleeps()
    {
        if (OperatingSystem.IsWindows() || Interlocked.Exchange(ref s_sleepPatched, 1) == 1)
        {
            return;
        }
        var vfs = sqlite3_vfs_find(null);
        if (vfs is not null && vfs->Version >= 1)
        {
            vfs->Sleep = &SleepMicroseconds;
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a lock another connection holds, in short steps.</summary>
    public static void SetBusyTimeout(SqliteConnection connection, int timeoutMs)
    {
        var handle = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = sqlite3_busy_handler(handle.DangerousGetHandle(), &OnBusy, timeoutMs);
        if (rc != 0)
        {
            throw new InvalidOperationException($"sqlite3_busy_handler failed with code {rc}.");
        }
    }

    /// <summary>
    /// The wait before retry number <paramref name="attempt"/> (0-based) under a busy timeout of
    /// <paramref name="timeoutMs"/>; 0 when the timeout is spent and the statement should fail with SQLITE_BUSY.
    /// </summary>
    internal static int BusyWaitMilliseconds(int attempt, int timeoutMs)
    {
        int delay, prior;
        if (attempt < s_delays.Length)
        {
            delay = s_delays[attempt];
            prior = s_totals[attempt];
        }
        else
        {
            delay = s_delays[^1];
            prior = s_totals[^1] + (delay * (attempt - (s_delays.Length - 1)));
        }
        return prior + delay > timeoutMs ? Math.Max(0, timeoutMs - prior) : delay;
    }

    /// <summary>How long SQLite reports <c>sqlite3_sleep(milliseconds)</c> slept: whole seconds without the repair (tests).</summary>
    internal static int SqliteSleep(int milliseconds) => sqlite3_sleep(milliseconds);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int SleepMicroseconds(Vfs* vfs, int microseconds)
    {
        _ = usleep((uint)Math.Max(0, microseconds));
        return microseconds;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnBusy(nint timeoutMs, int attempt)
    {
        var wait = BusyWaitMilliseconds(attempt, (int)timeoutMs);
        if (wait <= 0)
        {
            return 0;
        }
        Thread.Sleep(wait);
        return 1;
    }

    /// <summary>The start of SQLite's <c>sqlite3_vfs</c> (version 1 fields, in order, up to <c>xSleep</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Vfs
    {
        public int Version;
        public int OsFileSize;
        public int MaxPathname;
        public nint Next;
        public nint Name;
        public nint AppData;
        public nint Open;
        public nint Delete;
        public nint Access;
        public nint FullPathname;
        public nint DlOpen;
        public nint DlError;
        public nint DlSym;
        public nint DlClose;
        public nint Randomness;
        public delegate* unmanaged[Cdecl]<Vfs*, int, int> Sleep;
    }

    [DllImport(SqliteLibrary, CallingConvention = CallingConvention.Cdecl)]
    private static extern Vfs* sqlite3_vfs_find(byte* name);

    [DllImport(SqliteLibrary, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_busy_handler(nint db, delegate* unmanaged[Cdecl]<nint, int, int> handler, nint argument);

    [DllImport(SqliteLibrary, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_sleep(int milliseconds);

    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    private static extern int usleep(uint microseconds);
}
