using System.CommandLine;
using System.Text;

namespace Cairn.Server.Cli;

/// <summary>
/// <c>cairn user add|list|delete</c> and <c>cairn key add|list|disable|enable|rotate|delete</c>
/// (issue 14): users and their access keys through the admin API under <c>/_cairn/users</c> and
/// <c>/_cairn/keys</c> (root credentials). A new key is printed once, as the lines
/// <c>access key: ...</c> and <c>secret key: ...</c>; the server never shows its secret again.
/// </summary>
internal static class UserCommand
{
    public static Command CreateUser(CliContext context)
    {
        var command = new Command("user", "Users: identities with access keys of their own, each owning the buckets it creates.");
        var json = JsonOption();

        var addName = NameArgument("The new user's name (1 to 64 letters, digits and +=,.@_-).");
        var add = new Command("add", "Create a user with its first access key; prints the key once.") { addName, json };
        add.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Post,
            $"/_cairn/users/{AdminClient.Escape(parse.GetRequiredValue(addName))}", parse.GetValue(json), FormatNewKey, "a new key", cancellationToken));

        var list = new Command("list", "List the users.") { json };
        list.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Get, "/_cairn/users", parse.GetValue(json),
            FormatUsers, "a list of users", cancellationToken));

        var deleteName = NameArgument("The user to delete (with its keys; refused while it owns a bucket).");
        var delete = new Command("delete", "Delete a user and its keys.") { deleteName, json };
        delete.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Delete,
            $"/_cairn/users/{AdminClient.Escape(parse.GetRequiredValue(deleteName))}", parse.GetValue(json),
            _ => $"deleted user {parse.GetRequiredValue(deleteName)}\n", "an answer", cancellationToken));

        command.Add(add);
        command.Add(list);
        command.Add(delete);
        return command;
    }

    public static Command CreateKey(CliContext context)
    {
        var command = new Command("key", "Access keys of users: add, list, disable, enable, rotate, delete.");
        var json = JsonOption();

        var addUser = NameArgument("The user to give a new key.");
        var add = new Command("add", "Give a user a new access key; prints it once.") { addUser, json };
        add.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Post,
            $"/_cairn/users/{AdminClient.Escape(parse.GetRequiredValue(addUser))}/keys", parse.GetValue(json), FormatNewKey, "a new key",
            cancellationToken));

        var listUser = new Argument<string?>("USER") { Description = "Only this user's keys.", Arity = ArgumentArity.ZeroOrOne };
        var list = new Command("list", "List access keys (never their secrets).") { listUser, json };
        list.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, HttpMethod.Get,
            parse.GetValue(listUser) is { } user ? $"/_cairn/users/{AdminClient.Escape(user)}/keys" : "/_cairn/keys", parse.GetValue(json),
            FormatKeys, "a list of keys", cancellationToken));

        command.Add(add);
        command.Add(list);
        command.Add(KeyAction(context, "disable", "Disable a key: requests signed with it are refused (403 InvalidAccessKeyId).", HttpMethod.Post, "/disable", json));
        command.Add(KeyAction(context, "enable", "Enable a disabled key again.", HttpMethod.Post, "/enable", json));
        command.Add(KeyAction(context, "rotate", "Make a new key for the same user and disable this one; prints the new key once.", HttpMethod.Post, "/rotate", json));
        command.Add(KeyAction(context, "delete", "Delete a key.", HttpMethod.Delete, "", json));
        return command;
    }

    private static Command KeyAction(CliContext context, string name, string description, HttpMethod method, string suffix, Option<bool> json)
    {
        var id = new Argument<string>("ACCESS_KEY") { Description = "The access key id." };
        var command = new Command(name, description) { id, json };
        command.SetAction((parse, cancellationToken) => context.SendAndPrintAsync(parse, method,
            $"/_cairn/keys/{AdminClient.Escape(parse.GetRequiredValue(id))}{suffix}", parse.GetValue(json),
            name == "rotate" ? FormatNewKey : _ => $"{name}d key {parse.GetRequiredValue(id)}\n", "an answer",
            cancellationToken));
        return command;
    }

    private static Argument<string> NameArgument(string description) => new("NAME") { Description = description };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the server's JSON as received." };

    /// <summary>The lines of a new key: user, access key, secret key; null when the answer lacks one.</summary>
    private static string? FormatNewKey(byte[] body) => CliContext.FormatJson(body, root =>
        $"user: {root.GetProperty("user").GetString()}\naccess key: {root.GetProperty("accessKey").GetString()}\n" +
        $"secret key: {root.GetProperty("secretKey").GetString()}\n");

    private static string? FormatUsers(byte[] body) => CliContext.FormatJson(body, root =>
    {
        var text = new StringBuilder();
        foreach (var user in root.GetProperty("users").EnumerateArray())
        {
            text.Append($"{user.GetProperty("name").GetString()}\t{user.GetProperty("created").GetString()}\n");
        }
        return text.ToString();
    });

    private static string? FormatKeys(byte[] body) => CliContext.FormatJson(body, root =>
    {
        var text = new StringBuilder();
        foreach (var key in root.GetProperty("keys").EnumerateArray())
        {
            text.Append($"{key.GetProperty("accessKey").GetString()}\t{key.GetProperty("user").GetString()}\t" +
                $"{(key.GetProperty("active").GetBoolean() ? "active" : "inactive")}\t{key.GetProperty("created").GetString()}\n");
        }
        return text.ToString();
    });
}
