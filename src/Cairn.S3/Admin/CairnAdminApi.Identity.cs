using Cairn.Engine.Identity;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Admin;

// Users and access keys (issue 14), for `cairn user ...` and `cairn key ...`:
//   GET    /_cairn/users                     {"users": [{"name", "created"}]}
//   POST   /_cairn/users/{name}              the user and its first key: {"user", "accessKey", "secretKey"}
//   DELETE /_cairn/users/{name}              the user and its keys (409 DeleteConflict while it owns a bucket)
//   GET    /_cairn/users/{name}/keys         {"keys": [{"accessKey", "user", "active", "created"}]}
//   POST   /_cairn/users/{name}/keys         a new key: {"user", "accessKey", "secretKey"}
//   GET    /_cairn/keys                      every user's keys, as above
//   POST   /_cairn/keys/{id}/disable|enable  requests signed with a disabled key are refused (403 InvalidAccessKeyId)
//   POST   /_cairn/keys/{id}/rotate          a new key for the same user; the old one disabled
//   DELETE /_cairn/keys/{id}
// A secret is in the answer that made its key and nowhere else. Errors use IAM's codes.
public sealed partial class CairnAdminApi
{
    private const string UsersPath = "/_cairn/users";
    private const string KeysPath = "/_cairn/keys";

    private static bool IsIdentityPath(ReadOnlySpan<char> rawPath) => IsUnder(rawPath, UsersPath) || IsUnder(rawPath, KeysPath);

    private static bool IsUnder(ReadOnlySpan<char> path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');

    private async Task IdentityAsync(HttpContext context, string rawPath)
    {
        var method = context.Request.Method;
        var cancellationToken = context.RequestAborted;
        var users = IsUnder(rawPath, UsersPath);
        var segments = rawPath[(users ? UsersPath : KeysPath).Length..].Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(Uri.UnescapeDataString).ToArray();
        switch (users, segments, method)
        {
            case (true, [], "GET"):
                var all = await identities.ListUsersAsync(cancellationToken).ConfigureAwait(false);
                await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
                {
                    json.WriteStartArray("users");
                    foreach (var user in all)
                    {
                        json.WriteStartObject();
                        json.WriteString("name", user.Name);
                        json.WriteString("created", user.CreatedAt);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }).ConfigureAwait(false);
                return;
            case (true, [var name], "POST"):
                await WriteNewKeyAsync(context, await identities.CreateUserAsync(name, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case (true, [var name], "DELETE"):
                await identities.DeleteUserAsync(name, cancellationToken).ConfigureAwait(false);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case (true, [var name, "keys"], "GET"):
                await WriteKeysAsync(context, await identities.ListAccessKeysAsync(name, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case (true, [var name, "keys"], "POST"):
                await WriteNewKeyAsync(context, await identities.AddAccessKeyAsync(name, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case (false, [], "GET"):
                await WriteKeysAsync(context, await identities.ListAccessKeysAsync(null, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case (false, [var id, "disable" or "enable"], "POST"):
                await identities.SetAccessKeyActiveAsync(id, active: segments[1] == "enable", cancellationToken).ConfigureAwait(false);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case (false, [var id, "rotate"], "POST"):
                await WriteNewKeyAsync(context, await identities.RotateAccessKeyAsync(id, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case (false, [var id], "DELETE"):
                await identities.DeleteAccessKeyAsync(id, cancellationToken).ConfigureAwait(false);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            default:
                throw new AdminException(StatusCodes.Status404NotFound, "NoSuchAction",
                    $"No admin call {method} {rawPath}; see `cairn user --help` and `cairn key --help`.");
        }
    }

    private static Task WriteNewKeyAsync(HttpContext context, NewAccessKey key)
    {
        // The only answer that carries a secret: no cache keeps it.
        context.Response.Headers.CacheControl = "no-store";
        return WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("user", key.UserName);
            json.WriteString("accessKey", key.AccessKeyId);
            json.WriteString("secretKey", key.SecretKey);
        });
    }

    private static Task WriteKeysAsync(HttpContext context, IReadOnlyList<AccessKeyInfo> keys) =>
        WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartArray("keys");
            foreach (var key in keys)
            {
                json.WriteStartObject();
                json.WriteString("accessKey", key.AccessKeyId);
                json.WriteString("user", key.UserName);
                json.WriteBoolean("active", key.Active);
                json.WriteString("created", key.CreatedAt);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });

    /// <summary>The HTTP status and code an identity error is answered with (IAM's codes).</summary>
    private static (int Status, string Code) IdentityErrorAnswer(IdentityError error) => error switch
    {
        IdentityError.InvalidName => (StatusCodes.Status400BadRequest, "ValidationError"),
        IdentityError.UserExists => (StatusCodes.Status409Conflict, "EntityAlreadyExists"),
        IdentityError.NoSuchUser or IdentityError.NoSuchKey => (StatusCodes.Status404NotFound, "NoSuchEntity"),
        IdentityError.UserOwnsBuckets => (StatusCodes.Status409Conflict, "DeleteConflict"),
        _ => (StatusCodes.Status500InternalServerError, "ServiceFailure"),
    };
}
