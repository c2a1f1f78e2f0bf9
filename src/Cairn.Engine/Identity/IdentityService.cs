using System.Collections.Frozen;
using System.Security.Cryptography;
using Cairn.Metadata;
using Microsoft.Extensions.Logging;

namespace Cairn.Engine.Identity;

/// <summary>
/// Users and their access keys (issue 14): made, listed, disabled, rotated and deleted through the
/// catalog, secrets sealed by <see cref="SecretSealer"/> before they reach it. Also this node's copy
/// of the active keys that request authentication looks up (<see cref="FindActiveKey"/>): read again
/// after every change made here, and when older than <see cref="EngineOptions.CredentialRefreshInterval"/>.
/// </summary>
public sealed partial class IdentityService(IIdentityCatalog catalog, SecretSealer sealer, EngineOptions options, TimeProvider time,
    ILogger<IdentityService> logger)
{
    /// <summary>Characters of a generated access key id after its prefix, and of a secret.</summary>
    private const string KeyIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Generated access key ids start with this (20 characters in all, as AWS's).</summary>
    public const string AccessKeyPrefix = "CK";

    /// <summary>Longest user name (IAM's limit).</summary>
    public const int MaxUserNameLength = 64;

    /// <summary>A miss reads the keys again only when the copy is at least this old (bad keys must not make every request a catalog read).</summary>
    private static readonly TimeSpan MissRefreshAge = TimeSpan.FromSeconds(1);

    /// <summary>Longest a background read of the keys may take before it is given up (and tried again later).</summary>
    private static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(30);

    private volatile CredentialSnapshot _snapshot = new(FrozenDictionary<string, ActiveKey>.Empty, DateTimeOffset.MinValue);
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _unsealable = new(StringComparer.Ordinal);
    private long _lastAttemptTicks = DateTimeOffset.MinValue.UtcTicks;
    private int _refreshing;

    /// <summary>Creates <paramref name="name"/> with its first access key.</summary>
    public async Task<NewAccessKey> CreateUserAsync(string name, CancellationToken cancellationToken)
    {
        CheckUserName(name);
        if (!await catalog.TryCreateUserAsync(new UserRecord(name, Now()), cancellationToken).ConfigureAwait(false))
        {
            throw new IdentityException(IdentityError.UserExists, $"A user named '{name}' exists.");
        }
        return await AddAccessKeyAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every user, by name.</summary>
    public async Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken cancellationToken) =>
        [.. (await catalog.ListUsersAsync(cancellationToken).ConfigureAwait(false)).Select(static user => new UserInfo(user.Name, user.CreatedAt))];

    /// <summary>Deletes the user and its keys; refused while it owns a bucket.</summary>
    public async Task DeleteUserAsync(string name, CancellationToken cancellationToken)
    {
        switch (await catalog.DeleteUserAsync(name, cancellationToken).ConfigureAwait(false))
        {
            case DeleteUserOutcome.NotFound:
                throw new IdentityException(IdentityError.NoSuchUser, $"There is no user named '{name}'.");
            case DeleteUserOutcome.OwnsBuckets:
                throw new IdentityException(IdentityError.UserOwnsBuckets, $"User '{name}' owns buckets; delete them first.");
        }
        await RefreshAfterChangeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new active access key for <paramref name="userName"/>; its secret is shown here and never again.</summary>
    public async Task<NewAccessKey> AddAccessKeyAsync(string userName, CancellationToken cancellationToken)
    {
        var key = NewKey(userName);
        switch (await catalog.AddAccessKeyAsync(key.Record, cancellationToken).ConfigureAwait(false))
        {
            case AddAccessKeyOutcome.NoSuchUser:
                throw new IdentityException(IdentityError.NoSuchUser, $"There is no user named '{userName}'.");
            case AddAccessKeyOutcome.KeyExists:
                throw new IdentityException(IdentityError.KeyExists, "A generated access key id was taken; try again.");
        }
        await RefreshAfterChangeAsync(cancellationToken).ConfigureAwait(false);
        return key.Shown;
    }

    /// <summary>A new active key for the user of <paramref name="accessKeyId"/>, which is made inactive (deleted later, once clients moved over).</summary>
    public async Task<NewAccessKey> RotateAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        var old = await catalog.GetAccessKeyAsync(accessKeyId, cancellationToken).ConfigureAwait(false)
            ?? throw NoSuchKey(accessKeyId);
        var key = NewKey(old.UserName);
        switch (await catalog.RotateAccessKeyAsync(accessKeyId, key.Record, cancellationToken).ConfigureAwait(false))
        {
            case AddAccessKeyOutcome.NoSuchUser:
                throw NoSuchKey(accessKeyId);
            case AddAccessKeyOutcome.KeyExists:
                throw new IdentityException(IdentityError.KeyExists, "A generated access key id was taken; try again.");
        }
        await RefreshAfterChangeAsync(cancellationToken).ConfigureAwait(false);
        return key.Shown;
    }

    /// <summary>The keys of <paramref name="userName"/> (every user's when null), without their secrets.</summary>
    public async Task<IReadOnlyList<AccessKeyInfo>> ListAccessKeysAsync(string? userName, CancellationToken cancellationToken)
    {
        if (userName is not null && await catalog.GetUserAsync(userName, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new IdentityException(IdentityError.NoSuchUser, $"There is no user named '{userName}'.");
        }
        var keys = await catalog.ListAccessKeysAsync(userName, cancellationToken).ConfigureAwait(false);
        return [.. keys.Select(static key => new AccessKeyInfo(key.AccessKeyId, key.UserName, key.Active, key.CreatedAt))];
    }

    /// <summary>Makes the key active or inactive (requests signed with an inactive key are refused as with an unknown one).</summary>
    public async Task SetAccessKeyActiveAsync(string accessKeyId, bool active, CancellationToken cancellationToken)
    {
        if (!await catalog.SetAccessKeyActiveAsync(accessKeyId, active, cancellationToken).ConfigureAwait(false))
        {
            throw NoSuchKey(accessKeyId);
        }
        await RefreshAfterChangeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the key.</summary>
    public async Task DeleteAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (!await catalog.DeleteAccessKeyAsync(accessKeyId, cancellationToken).ConfigureAwait(false))
        {
            throw NoSuchKey(accessKeyId);
        }
        await RefreshAfterChangeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The active key <paramref name="accessKeyId"/> from this node's copy; false when the copy has no
    /// such active key. A copy older than the refresh interval (or than a second, on a miss) is read
    /// again in the background, so a later request sees the change; at most one read a second is
    /// started, so a catalog that fails or a flood of unknown keys does not make every request a read.
    /// </summary>
    public bool FindActiveKey(string accessKeyId, out ActiveKey key)
    {
        var snapshot = _snapshot;
        var found = snapshot.Keys.TryGetValue(accessKeyId, out key!);
        var now = time.GetUtcNow();
        var age = now - snapshot.ReadAt;
        if ((age >= options.CredentialRefreshInterval || (!found && age >= MissRefreshAge))
            && now - new DateTimeOffset(Interlocked.Read(ref _lastAttemptTicks), TimeSpan.Zero) >= MissRefreshAge)
        {
            StartBackgroundRefresh();
        }
        return found;
    }

    /// <summary>
    /// Reads the active keys again and unseals their secrets (at start, and after every change made
    /// here). Reads take turns, and each publishes what it read after the one before it: a read begun
    /// before a change never replaces the copy read after it.
    /// </summary>
    public async Task RefreshCredentialsAsync(CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var readAt = time.GetUtcNow();
            Interlocked.Exchange(ref _lastAttemptTicks, readAt.UtcTicks);
            var records = await catalog.ListAccessKeysAsync(null, cancellationToken).ConfigureAwait(false);
            var keys = new Dictionary<string, ActiveKey>(StringComparer.Ordinal);
            foreach (var record in records.Where(static record => record.Active))
            {
                try
                {
                    keys[record.AccessKeyId] = new ActiveKey(record.AccessKeyId, record.UserName, sealer.Unseal(record.SealedSecret, record.AccessKeyId));
                }
                catch (CryptographicException ex)
                {
                    // A key sealed under a server key this node was not given: refused, and said so once.
                    if (_unsealable.TryAdd(record.AccessKeyId, 0))
                    {
                        LogUnsealFailed(ex, record.AccessKeyId, record.UserName);
                    }
                }
            }
            _snapshot = new CredentialSnapshot(keys.ToFrozenDictionary(StringComparer.Ordinal), readAt);
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>After a change committed here: the copy read again; a failure to read is logged, not the caller's (the change stands).</summary>
    private async Task RefreshAfterChangeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshCredentialsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The copy is marked old, so the next request reads again (and a disabled key stops working then).
            var snapshot = _snapshot;
            _snapshot = snapshot with { ReadAt = DateTimeOffset.MinValue };
            Interlocked.Exchange(ref _lastAttemptTicks, DateTimeOffset.MinValue.UtcTicks);
            LogRefreshFailed(ex);
        }
    }

    private void StartBackgroundRefresh()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(RefreshTimeout);
            try
            {
                await RefreshCredentialsAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogRefreshFailed(ex);
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        });
    }

    private (AccessKeyRecord Record, NewAccessKey Shown) NewKey(string userName)
    {
        var accessKeyId = AccessKeyPrefix + RandomNumberGenerator.GetString(KeyIdAlphabet, 18);
        var secret = RandomNumberGenerator.GetString(SecretAlphabet, 40);
        return (new AccessKeyRecord(accessKeyId, userName, sealer.Seal(secret, accessKeyId), Active: true, Now()),
            new NewAccessKey(userName, accessKeyId, secret));
    }

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    private static IdentityException NoSuchKey(string accessKeyId) =>
        new(IdentityError.NoSuchKey, $"There is no access key '{accessKeyId}'.");

    /// <summary>IAM's rule for user names: 1 to 64 of letters, digits and <c>+=,.@_-</c> (and not <c>.</c> or <c>..</c>, which URLs drop).</summary>
    private static void CheckUserName(string name)
    {
        if (name.Length is 0 or > MaxUserNameLength || name is "." or ".."
            || !name.All(static c => char.IsAsciiLetterOrDigit(c) || "+=,.@_-".Contains(c)))
        {
            throw new IdentityException(IdentityError.InvalidName,
                $"A user name is 1 to {MaxUserNameLength} letters, digits and +=,.@_- (was '{name}').");
        }
    }

    private sealed record CredentialSnapshot(FrozenDictionary<string, ActiveKey> Keys, DateTimeOffset ReadAt);

    // Event ids 200-209 belong to this service; next free: 202.
    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Access key {AccessKeyId} of user {User} cannot be unsealed with this node's server keys; requests signed with it are refused")]
    private partial void LogUnsealFailed(Exception exception, string accessKeyId, string user);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Reading the access keys again failed; the copy read before is used")]
    private partial void LogRefreshFailed(Exception exception);
}

/// <summary>A user as listed.</summary>
public sealed record UserInfo(string Name, DateTimeOffset CreatedAt);

/// <summary>An active access key as request authentication needs it.</summary>
public sealed record ActiveKey(string AccessKeyId, string UserName, string SecretKey);

/// <summary>A key just made: the only time its secret is shown.</summary>
public sealed record NewAccessKey(string UserName, string AccessKeyId, string SecretKey);

/// <summary>A key as listed (never with its secret).</summary>
public sealed record AccessKeyInfo(string AccessKeyId, string UserName, bool Active, DateTimeOffset CreatedAt);

/// <summary>What went wrong in an <see cref="IdentityService"/> call.</summary>
public enum IdentityError
{
    InvalidName,
    UserExists,
    NoSuchUser,
    NoSuchKey,
    KeyExists,
    UserOwnsBuckets,
}

/// <summary>An identity call refused (the admin API answers it with its own code).</summary>
public sealed class IdentityException(IdentityError error, string message) : Exception(message)
{
    public IdentityError Error { get; } = error;
}
