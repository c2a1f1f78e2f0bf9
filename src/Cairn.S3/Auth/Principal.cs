namespace Cairn.S3.Auth;

/// <summary>
/// Who made a request: root (<see cref="IsRoot"/>, the key pair from configuration), a user (by the
/// access key it signed with), or nobody (<see cref="Anonymous"/>: no signature at all, allowed only
/// what a bucket policy grants everyone). Root is never a default: only the root credentials' entry
/// sets <see cref="IsRoot"/>.
/// </summary>
public sealed record Principal(string AccessKeyId, string DisplayName)
{
    /// <summary>A request without any signature.</summary>
    public static readonly Principal Anonymous = new("", "anonymous");

    /// <summary>The user whose key signed the request; null for root and for anonymous requests.</summary>
    public string? User { get; init; }

    /// <summary>The root credentials, which may do everything.</summary>
    public bool IsRoot { get; init; }

    /// <summary>No signature: neither root nor a user.</summary>
    public bool IsAnonymous => !IsRoot && User is null;
}
