using System.CommandLine;
using Cairn.Engine.Identity;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn server-key list|rotate --key-file PATH</c> (issue 14): the server key file, offline. Rotation
/// adds a new random key and makes it current: what is sealed from then on (users' secrets, SSE-S3
/// objects' data keys) uses it, and every older key stays in the file to open what it sealed. A server
/// reads the file when it starts: restart every node, each given the same rotated file.
/// </summary>
/// <remarks>Exit codes: 0 done; 1 the file could not be read or written; 2 usage.</remarks>
internal static class ServerKeyCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("server-key", "The server key file (it seals users' secrets and SSE-S3 data keys): list its keys, rotate.");
        var listFile = KeyFileOption();
        var list = new Command("list", "The file's keys (ids and creation times, never the keys), the current one marked.") { listFile };
        list.SetAction((parse, _) => RunAsync(context, parse.GetRequiredValue(listFile), rotate: false));
        var rotateFile = KeyFileOption();
        var rotate = new Command("rotate", "Add a new key and make it current; the old keys stay to open what they sealed. Restart the servers after.")
        {
            rotateFile,
        };
        rotate.SetAction((parse, _) => RunAsync(context, parse.GetRequiredValue(rotateFile), rotate: true));
        command.Add(list);
        command.Add(rotate);
        return command;
    }

    private static Option<string> KeyFileOption() => new("--key-file")
    {
        Description = $"The key file (the server's Cairn:KeyFile; by default {ServerHost.ServerKeyFileName} in its data directory).",
        Required = true,
    };

    private static async Task<int> RunAsync(CliContext context, string path, bool rotate)
    {
        ServerKeyRing ring;
        try
        {
            ring = ServerKeyRing.Load(path);
            if (rotate)
            {
                ring = ring.Rotate(DateTimeOffset.UtcNow);
                ring.Save(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await context.Stderr.WriteLineAsync($"error: {path}: {ex.Message}").ConfigureAwait(false);
            return CairnCli.ExitServerError;
        }
        foreach (var key in ring.Keys)
        {
            await context.Stdout.WriteLineAsync($"{key.Id}\t{key.CreatedAt:yyyy-MM-ddTHH:mm:ssZ}{(key.Id == ring.Current.Id ? "\tcurrent" : "")}")
                .ConfigureAwait(false);
        }
        return CairnCli.ExitSuccess;
    }
}
