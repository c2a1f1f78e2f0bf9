using System.Text.RegularExpressions;
using Cairn.Server.Cli;
using Spectre.Console;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// The CLI's progress pieces without a terminal: what <see cref="ProgressReadStream"/> reports, when
/// <see cref="CliProgress"/> decides to draw, and what it draws on a console made to act as a terminal.
/// </summary>
[Trait("Issue", "14")]
public sealed class CliProgressTests
{
    /// <summary>Every value reported, in order, on the reading thread (System.Progress would post them elsewhere).</summary>
    private sealed class Recorder : IProgress<long>
    {
        public List<long> Values { get; } = [];

        public void Report(long value) => Values.Add(value);
    }

    /// <summary>A console that writes what a terminal would be sent into <paramref name="output"/>, without colours.</summary>
    internal static CliProgress TerminalInto(StringWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 160;
        return new CliProgress(console);
    }

    /// <summary>
    /// What the terminal shows once the drawing ended: the last frame, after the last move of the cursor
    /// up over the frame before it (a single frame has none).
    /// </summary>
    internal static string LastFrame(StringWriter terminal)
    {
        var drawn = terminal.ToString();
        var moves = Regex.Matches(drawn, @"\u001b\[\d+A");
        return moves.Count == 0 ? drawn : drawn[(moves[^1].Index + moves[^1].Length)..];
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(14).NextBytes(bytes);
        return bytes;
    }

    [Fact(Timeout = 10_000)]
    public async Task The_read_stream_reports_growing_totals_ending_at_the_bytes_after_its_start()
    {
        // Arrange: reads of odd sizes, sync and async, from a stream that does not start at 0.
        var data = RandomBytes(1_000_003);
        using var inner = new MemoryStream(data) { Position = 17 };
        var recorder = new Recorder();
        using var copy = new MemoryStream();

        // Act
        await using (var stream = new ProgressReadStream(inner, recorder))
        {
            var buffer = new byte[4099];
            var read = stream.Read(buffer, 0, 1000);
            copy.Write(buffer, 0, read);
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, 4099))) > 0)
            {
                copy.Write(buffer, 0, read);
            }
        }

        // Assert
        Assert.Equal(data[17..], copy.ToArray());
        Assert.Equal(1000, recorder.Values[0]);
        Assert.Equal(data.Length - 17, recorder.Values[^1]);
        Assert.True(recorder.Values.Zip(recorder.Values.Skip(1)).All(static pair => pair.First < pair.Second), "the totals must only grow");
        Assert.True(inner.CanRead, "the wrapped stream stays open");
    }

    [Fact(Timeout = 10_000)]
    public async Task Reading_back_over_bytes_already_read_reports_nothing_more()
    {
        // Arrange
        var data = RandomBytes(100_000);
        using var inner = new MemoryStream(data);
        var recorder = new Recorder();
        await using var stream = new ProgressReadStream(inner, recorder);
        await stream.CopyToAsync(Stream.Null);
        var reportsAfterFirstPass = recorder.Values.Count;

        // Act: the verifier's second pass, reading blocks back by offset.
        stream.Position = 50_000;
        await stream.ReadExactlyAsync(new byte[1000]);
        stream.Seek(0, SeekOrigin.Begin);
        await stream.CopyToAsync(Stream.Null);

        // Assert
        Assert.Equal(reportsAfterFirstPass, recorder.Values.Count);
        Assert.Equal(data.Length, recorder.Values.Max());
    }

    [Fact]
    public void A_stream_that_cannot_seek_is_refused()
    {
        // Arrange
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);

        // Act and assert
        Assert.Throws<ArgumentException>(() => new ProgressReadStream(pipe, new Recorder()));
    }

    [Fact]
    public void Bars_are_wanted_only_on_the_process_s_own_stderr_unredirected_on_a_capable_terminal()
    {
        using var writer = new StringWriter();

        Assert.True(CliProgress.IsWanted(Console.Error, stderrRedirected: false, term: "xterm-256color"));
        Assert.True(CliProgress.IsWanted(Console.Error, stderrRedirected: false, term: null));
        Assert.False(CliProgress.IsWanted(Console.Error, stderrRedirected: true, term: "xterm-256color"));
        Assert.False(CliProgress.IsWanted(Console.Error, stderrRedirected: false, term: "dumb"));
        Assert.False(CliProgress.IsWanted(writer, stderrRedirected: false, term: "xterm-256color"));
        Assert.False(CliProgress.IsWanted(Console.Out, stderrRedirected: false, term: "xterm-256color"));
    }

    [Fact]
    public void A_command_writing_to_a_StringWriter_draws_no_bars()
    {
        // Arrange
        using var stderr = new StringWriter();

        // Act
        var progress = CliProgress.ForTerminal(stderr, static name => name == "TERM" ? "xterm-256color" : null);

        // Assert
        Assert.False(progress.IsShown);
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1, "1 byte")]
    [InlineData(1023, "1023 bytes")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(5 * 1024 * 1024 + 300_000, "5.3 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024 / 2, "1.5 GiB")]
    public void Byte_counts_read_in_binary_units(long bytes, string expected)
    {
        Assert.Equal(expected, CliProgress.FormatBytes(bytes));
    }

    [Fact(Timeout = 10_000)]
    public async Task On_a_terminal_a_bar_is_drawn_and_ends_full_with_its_total()
    {
        // Arrange
        using var terminal = new StringWriter();
        var progress = TerminalInto(terminal);

        // Act: a file name Spectre would read as markup, a known total and an unknown one.
        var result = await progress.RunAsync(bars =>
        {
            var known = bars.Add("reading [1].car", 4096);
            var unknown = bars.Add("exporting photos", totalBytes: null);
            known.Report(1024);
            unknown.Report(5 * 1024 * 1024 + 300_000);
            known.Report(4096);
            unknown.Finish();
            return Task.FromResult(42);
        });

        // Assert
        var drawn = LastFrame(terminal);
        Assert.Equal(42, result);
        Assert.Contains("reading [1].car", drawn, StringComparison.Ordinal);
        Assert.Contains("exporting photos", drawn, StringComparison.Ordinal);
        Assert.Equal(2, drawn.Split("100%").Length - 1);
        Assert.Contains("5.3 MiB", drawn, StringComparison.Ordinal);
        Assert.Contains("\u001b[", terminal.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_bar_that_stopped_short_stays_where_it_got_and_the_step_after_it_never_shows()
    {
        // Arrange: a verification whose file could be read only in part.
        using var terminal = new StringWriter();
        var progress = TerminalInto(terminal);

        // Act
        await progress.RunAsync(bars =>
        {
            var reading = bars.Add("reading cut.car", 10_000);
            var checking = bars.AddStep("checking tree and manifests", after: reading);
            reading.Report(3000);
            reading.Finish();
            checking.Finish();
            return Task.FromResult(0);
        });

        // Assert
        var drawn = LastFrame(terminal);
        Assert.Contains("reading cut.car", drawn, StringComparison.Ordinal);
        Assert.Contains("30%", drawn, StringComparison.Ordinal);
        Assert.Contains("2.9 KiB/9.8 KiB", drawn, StringComparison.Ordinal);
        Assert.DoesNotContain("checking tree and manifests", drawn, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_step_with_no_bar_before_it_is_under_way_at_once_and_stays_with_the_time_it_took()
    {
        // Arrange: the restore's step (a step that never started would be taken off when finished).
        using var terminal = new StringWriter();
        var progress = TerminalInto(terminal);

        // Act
        await progress.RunAsync(bars =>
        {
            bars.AddStep("restoring the catalog from the archive").Finish();
            return Task.FromResult(0);
        });

        // Assert
        var drawn = LastFrame(terminal);
        Assert.Contains("restoring the catalog from the archive", drawn, StringComparison.Ordinal);
        Assert.Contains("00:00:00", drawn, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task Without_a_terminal_the_work_runs_and_nothing_is_drawn()
    {
        // Arrange
        var ran = false;

        // Act
        var result = await CliProgress.None.RunAsync(bars =>
        {
            var bar = bars.Add("sending a.car", 10);
            var step = bars.AddStep("server checks a.car", after: bar);
            bar.Report(10);
            step.Finish();
            ran = true;
            return Task.FromResult("done");
        });

        // Assert
        Assert.True(ran);
        Assert.Equal("done", result);
        Assert.False(CliProgress.None.IsShown);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_failure_in_the_work_comes_out_as_it_was_and_its_unfinished_bar_goes()
    {
        // Arrange
        using var terminal = new StringWriter();
        var progress = TerminalInto(terminal);

        // Act
        var thrown = await Assert.ThrowsAsync<HttpRequestException>(() => progress.RunAsync<int>(async bars =>
        {
            bars.Add("sending a.car", 1000).Report(10);
            await Task.Delay(400); // a few of the renderer's frames (ten a second), so the bar is on screen before it goes
            throw new HttpRequestException("cannot reach http://127.0.0.1:9");
        }));

        // Assert: the bar of the work that failed was drawn, then taken off for the error to speak.
        Assert.Equal("cannot reach http://127.0.0.1:9", thrown.Message);
        Assert.Contains("sending a.car", terminal.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sending a.car", LastFrame(terminal), StringComparison.Ordinal);
    }
}
