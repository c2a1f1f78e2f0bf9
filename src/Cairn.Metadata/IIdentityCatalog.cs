namespace Cairn.Metadata;

/// <summary>
/// Identities other than root (issue 14): users and their access keys. A key's secret is stored
/// sealed (encrypted under a server key by the engine; the catalog never sees it in the clear).
/// Every write is one transaction.
/// </summary>
public interface IIdentityCatalog
{
    /// <summary>Creates the user; false when a user of that name exists.</summary>
    ValueTask<bool> TryCreateUserAsync(UserRecord user, CancellationToken cancellationToken);

    ValueTask<UserRecord?> GetUserAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every user, by name (ordinal).</summary>
    ValueTask<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the user and its access keys, unless it owns a bucket (<see cref="DeleteUserOutcome.OwnsBuckets"/>:
    /// a bucket is never left without its owner).
    /// </summary>
    ValueTask<DeleteUserOutcome> DeleteUserAsync(string name, CancellationToken cancellationToken);

    /// <summary>Adds an access key to its user.</summary>
    ValueTask<AddAccessKeyOutcome> AddAccessKeyAsync(AccessKeyRecord key, CancellationToken cancellationToken);

    ValueTask<AccessKeyRecord?> GetAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken);

    /// <summary>The keys of <paramref name="userName"/>, or of every user when null, by user then key id.</summary>
    ValueTask<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string? userName, CancellationToken cancellationToken);

    /// <summary>Makes the key active or inactive; false when there is no such key.</summary>
    ValueTask<bool> SetAccessKeyActiveAsync(string accessKeyId, bool active, CancellationToken cancellationToken);

    /// <summary>Deletes the key; false when there was none.</summary>
    ValueTask<bool> DeleteAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken);

    /// <summary>
    /// Rotation in one transaction: adds <paramref name="replacement"/> to the user of
    /// <paramref name="oldAccessKeyId"/> (whatever user the replacement names) and makes the old key
    /// inactive, so clients move over before it is deleted.
    /// <see cref="AddAccessKeyOutcome.NoSuchUser"/> when there is no old key.
    /// </summary>
    ValueTask<AddAccessKeyOutcome> RotateAccessKeyAsync(string oldAccessKeyId, AccessKeyRecord replacement, CancellationToken cancellationToken);
}

/// <summary>A user (an identity with access keys of its own).</summary>
public sealed record UserRecord(string Name, DateTimeOffset CreatedAt);

/// <summary>An access key: its id, its user, its secret sealed by the engine, whether requests signed with it are accepted.</summary>
public sealed record AccessKeyRecord(string AccessKeyId, string UserName, byte[] SealedSecret, bool Active, DateTimeOffset CreatedAt);

/// <summary>Outcome of <see cref="IIdentityCatalog.DeleteUserAsync"/>.</summary>
public enum DeleteUserOutcome
{
    Deleted,
    NotFound,
    OwnsBuckets,
}

/// <summary>Outcome of <see cref="IIdentityCatalog.AddAccessKeyAsync"/> and <see cref="IIdentityCatalog.RotateAccessKeyAsync"/>.</summary>
public enum AddAccessKeyOutcome
{
    Added,

    /// <summary>No such user (for a rotation: no such old key).</summary>
    NoSuchUser,

    /// <summary>A key with that id exists (of any user).</summary>
    KeyExists,
}
