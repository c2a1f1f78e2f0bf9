namespace Cairn.S3.Auth;

/// <summary>Who signed a request: root (<see cref="User"/> null) or a user, by the access key it used.</summary>
public sealed record Principal(string AccessKeyId, string DisplayName)
{
    /// <summary>The user whose key signed the request; null for the root credentials.</summary>
    public string? User { get; init; }

    /// <summary>The root credentials, which may do everything.</summary>
    public bool IsRoot => User is null;
}
