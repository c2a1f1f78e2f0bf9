using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cairn.Server.Cli;

/// <summary>
/// The progress bars of the long commands (export, import, verify, restore), drawn by Spectre.Console on stderr
/// when stderr is a terminal. Anywhere else (a pipe, a file, CI, the tests' writers) nothing at all is
/// drawn, so what the commands print stays exactly their own lines; stdout never carries a bar either
/// way, and stays parseable.
/// </summary>
internal sealed class CliProgress
{
    private readonly IAnsiConsole? _console;

    /// <summary>Draws on <paramref name="console"/>; none at all when it is null.</summary>
    public CliProgress(IAnsiConsole? console) => _console = console;

    /// <summary>Draws nothing: the work runs alone.</summary>
    public static CliProgress None { get; } = new(null);

    /// <summary>True when bars are drawn.</summary>
    public bool IsShown => _console is not null;

    /// <summary>
    /// Bars on <paramref name="stderr"/> when <see cref="IsWanted"/> says so and Spectre's own look at
    /// the terminal agrees; otherwise <see cref="None"/>.
    /// </summary>
    public static CliProgress ForTerminal(TextWriter stderr, Func<string, string?> environment)
    {
        if (!IsWanted(stderr, Console.IsErrorRedirected, environment("TERM")))
        {
            return None;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
        // Spectre knows more terminals and CI services than the test above; where it finds no ANSI or
        // no interaction it would print progress as lines instead, and a plain run prints none.
        return console.Profile.Capabilities is { Ansi: true, Interactive: true } ? new CliProgress(console) : None;
    }

    /// <summary>
    /// Whether bars belong on <paramref name="stderr"/>: only when it is the process's own stderr, that
    /// is not redirected, on a terminal that is not <c>TERM=dumb</c> (which cannot move the cursor back).
    /// Stdout may be redirected: a bar on stderr is how a command that is piped still shows its progress.
    /// </summary>
    public static bool IsWanted(TextWriter stderr, bool stderrRedirected, string? term) =>
        ReferenceEquals(stderr, Console.Error) && !stderrRedirected && !string.Equals(term, "dumb", StringComparison.Ordinal);

    /// <summary>
    /// Runs <paramref name="work"/>, drawing the bars it adds until it ends; the bars of work that
    /// finished stay on screen. Without a terminal the bars it adds draw nothing.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<TransferBars, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_console is null)
        {
            return await work(new TransferBars(null)).ConfigureAwait(false);
        }
        return await new Progress(_console)
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new ShownWhen(new PercentageColumn(), static task => TransferBars.CountsBytes(task) && !task.IsIndeterminate),
                new TransferredColumn(),
                new ShownWhen(new TransferSpeedColumn(), static task => TransferBars.CountsBytes(task) && task.Value > 0 && !task.IsFinished),
                new TimeColumn())
            .StartAsync(async context =>
            {
                var bars = new TransferBars(context);
                try
                {
                    return await work(bars).ConfigureAwait(false);
                }
                finally
                {
                    bars.RemoveUnfinished();
                }
            })
            .ConfigureAwait(false);
    }

    /// <summary>A column drawn only for the tasks it means something for (a percentage of an unknown total would be made up).</summary>
    private sealed class ShownWhen(ProgressColumn column, Func<ProgressTask, bool> shown) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            shown(task) ? column.Render(options, task, deltaTime) : Text.Empty;

        public override int? GetColumnWidth(RenderOptions options) => column.GetColumnWidth(options);
    }

    /// <summary>
    /// Bytes so far of the total (Spectre's own column, which shows the total alone once a bar is
    /// finished); both for a bar stopped short of its total; bytes so far alone while the total is unknown.
    /// </summary>
    private sealed class TransferredColumn : ProgressColumn
    {
        private readonly DownloadedColumn _ofTotal = new() { Culture = CultureInfo.InvariantCulture };

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            !TransferBars.CountsBytes(task) ? Text.Empty
            : task.IsIndeterminate ? new Text(FormatBytes((long)task.Value))
            : task.IsFinished && task.Value < task.MaxValue ? new Text($"{FormatBytes((long)task.Value)}/{FormatBytes((long)task.MaxValue)}")
            : _ofTotal.Render(options, task, deltaTime);
    }

    /// <summary>
    /// The time left while a known total is under way; once a bar is finished, the time it took; for a
    /// step, which has no total, the time it has taken so far.
    /// </summary>
    private sealed class TimeColumn : ProgressColumn
    {
        private readonly RemainingTimeColumn _left = new();
        private readonly ElapsedTimeColumn _took = new();

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            !TransferBars.CountsBytes(task) ? (task.IsStarted ? _took.Render(options, task, deltaTime) : Text.Empty)
            : task.IsFinished ? _took.Render(options, task, deltaTime)
            : task.IsIndeterminate ? Text.Empty
            : _left.Render(options, task, deltaTime);

        public override int? GetColumnWidth(RenderOptions options) => _left.GetColumnWidth(options);
    }

    /// <summary>
    /// <paramref name="bytes"/> in the largest binary unit that keeps the number at least 1 (<c>12.3 MiB</c>), written as
    /// Spectre's own columns write sizes, so that a count does not change its look when its total becomes known.
    /// </summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = [bytes == 1 ? "byte" : "bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} {units[0]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}

/// <summary>Adds bars to a running <see cref="CliProgress"/>; without a terminal, bars that draw nothing.</summary>
internal sealed class TransferBars
{
    /// <summary>The key, in a task's state, of whether it counts bytes (a step only waits).</summary>
    private const string CountsBytesKey = "cairn.counts-bytes";

    private readonly ProgressContext? _context;
    private readonly List<TransferBar> _bars = [];

    internal TransferBars(ProgressContext? context) => _context = context;

    /// <summary>
    /// A bar for <paramref name="totalBytes"/> bytes, filled as bytes are reported; with no total, a
    /// bar that moves to and fro beside the bytes so far, full once <see cref="TransferBar.Finish"/> tells the end.
    /// </summary>
    public TransferBar Add(string description, long? totalBytes)
    {
        if (_context is null)
        {
            return new TransferBar(null, null);
        }
        var task = _context.AddTask(AsMarkup(description), autoStart: true, maxValue: totalBytes ?? double.MaxValue);
        task.IsIndeterminate = totalBytes is null;
        task.State.Update<bool>(CountsBytesKey, static _ => true);
        return Track(new TransferBar(_context, task));
    }

    /// <summary>
    /// A step with no bytes to count (the server's check of an upload, a restore): empty until
    /// <paramref name="after"/> is full (at once without one), then moving to and fro beside the time
    /// it has taken until <see cref="TransferBar.Finish"/>.
    /// </summary>
    public TransferBar AddStep(string description, TransferBar? after = null)
    {
        if (_context is null)
        {
            return new TransferBar(null, null);
        }
        var step = Track(new TransferBar(_context, _context.AddTask(AsMarkup(description), autoStart: false, maxValue: 1)));
        if (after is null)
        {
            step.Start();
        }
        else
        {
            after.Next = step;
        }
        return step;
    }

    /// <summary>Whether <paramref name="task"/> counts bytes (only those get a size, a speed, a percentage and a time left).</summary>
    public static bool CountsBytes(ProgressTask task) => task.State.Get<bool>(CountsBytesKey);

    /// <summary>
    /// Takes off the screen the bars of work that did not end (it failed, or never began): the error
    /// printed after says what happened, and a bar frozen half way would say less.
    /// </summary>
    internal void RemoveUnfinished()
    {
        foreach (var bar in _bars)
        {
            bar.RemoveUnlessFinished();
        }
        // Spectre draws a last frame only for work that returned: after a throw the screen would keep the bars.
        _context?.Refresh();
    }

    /// <summary>Spectre reads a description as markup: a file named <c>[x].car</c> must show as it is, not fail.</summary>
    private static string AsMarkup(string description) => Markup.Escape(description);

    private TransferBar Track(TransferBar bar)
    {
        _bars.Add(bar);
        return bar;
    }
}

/// <summary>One bar: <see cref="Report"/> takes the bytes done so far (not an increment).</summary>
internal sealed class TransferBar : IProgress<long>
{
    private readonly ProgressContext? _context;
    private readonly ProgressTask? _task;

    internal TransferBar(ProgressContext? context, ProgressTask? task)
    {
        _context = context;
        _task = task;
    }

    /// <summary>The step that starts when this bar is full.</summary>
    internal TransferBar? Next { get; set; }

    public void Report(long value)
    {
        if (_task is null)
        {
            return;
        }
        _task.Value = value;
        if (!_task.IsIndeterminate && value >= _task.MaxValue)
        {
            Next?.Start();
        }
    }

    /// <summary>
    /// The work this bar stands for ended: a known total stays where it got to, an unknown one becomes
    /// the bytes that arrived, a started step fills. A step that never started goes.
    /// </summary>
    public void Finish()
    {
        if (_task is null || _task.StopTime is not null)
        {
            return;
        }
        var isStep = !TransferBars.CountsBytes(_task);
        if (isStep && !_task.IsStarted)
        {
            _context!.RemoveTask(_task);
            return;
        }
        if (_task.IsIndeterminate)
        {
            if (isStep)
            {
                _task.Value = _task.MaxValue;
            }
            else
            {
                _task.MaxValue = _task.Value;
            }
            _task.IsIndeterminate = false;
        }
        _task.StopTask();
    }

    internal void RemoveUnlessFinished()
    {
        if (_task is { IsFinished: false })
        {
            _context!.RemoveTask(_task);
        }
    }

    /// <summary>Starts a step: it moves to and fro from now on.</summary>
    internal void Start()
    {
        if (_task is { IsStarted: false })
        {
            _task.IsIndeterminate = true;
            _task.StartTask();
        }
    }
}
