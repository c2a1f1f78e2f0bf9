using System.Diagnostics;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// Runs a real S3 client (the AWS CLI, a Python script on botocore) as a child process against a test server,
/// with credentials and region in its environment and no shared AWS config, so the client's own defaults apply.
/// A process that outlives its timeout is killed, with its children, through its own handle.
/// </summary>
internal static class ClientProcess
{
    /// <summary>
    /// The output of a process that exited with code 0, given <paramref name="input"/> on its standard input;
    /// fails the test with stderr otherwise.
    /// </summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string accessKey, string secretKey,
        TimeSpan timeout, string input = "")
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["AWS_ACCESS_KEY_ID"] = accessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = secretKey;
        start.Environment["AWS_DEFAULT_REGION"] = CairnServer.Region;
        // No profile, config or credentials file: the client's defaults, whatever the machine's ~/.aws says.
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/cairn-tests/config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/cairn-tests/credentials";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} ran longer than {timeout}: {await stderr}");
        }
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{fileName} exited with {process.ExitCode}: {await stderr}{Environment.NewLine}{output}");
        return output;
    }
}
