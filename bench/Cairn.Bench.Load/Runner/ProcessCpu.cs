using System.Globalization;

namespace Cairn.Bench.Load.Runner;

/// <summary>
/// The CPU time (user + system) another process on this machine has used so far, read from
/// <c>/proc/PID/stat</c> (Linux). A benchmark of a server on shared cores reads it around the timed
/// phase: the server's CPU per request moves far less from run to run than its request rate.
/// </summary>
internal static class ProcessCpu
{
    /// <summary>Clock ticks per second of <c>/proc</c>'s times (USER_HZ, 100 on every Linux this runs on).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU time <paramref name="pid"/> has used; throws when it cannot be read.</summary>
    public static TimeSpan Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        // The command name, in parentheses, may hold spaces: the fields counted are the ones after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of the line, the 12th and 13th after the name.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
