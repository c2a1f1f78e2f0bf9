using Cairn.Engine.Identity;
using Cairn.Metadata;
using Cairn.Metadata.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Engine.Tests;

/// <summary>
/// Users and keys through the engine (issue 14), over a real SQLite catalog: keys made in AWS's
/// shape with their secrets sealed in the catalog; this node's copy of the active keys follows its
/// own changes at once and another node's within the refresh interval; bad names and missing
/// users or keys are refused with nothing written.
/// </summary>
public sealed class IdentityServiceTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteMetadataStore _catalog = new(new SqliteMetadataOptions { DatabasePath = SqliteMetadataOptions.InMemory });
    private readonly EngineOptions _options = new() { CredentialRefreshInterval = TimeSpan.FromSeconds(5) };
    private readonly ServerKeyRing _keys = ServerKeyRing.CreateNew(DateTimeOffset.UnixEpoch);
    private IdentityService _identities = null!;

    public async Task InitializeAsync()
    {
        await _catalog.MigrateAsync(Ct);
        _identities = NewNode();
    }

    public async Task DisposeAsync() => await _catalog.DisposeAsync();

    /// <summary>Another node on the same catalog and key file.</summary>
    private IdentityService NewNode() => new(_catalog, new SecretSealer(_keys), _options, _clock, NullLogger<IdentityService>.Instance);

    [Fact(Timeout = 30_000)]
    public async Task A_new_user_gets_a_key_in_AWSs_shape_whose_secret_the_catalog_holds_only_sealed()
    {
        var key = await _identities.CreateUserAsync("alice", Ct);

        Assert.Equal("alice", key.UserName);
        Assert.Matches("^CK[A-Z0-9]{18}$", key.AccessKeyId);
        Assert.Matches("^[A-Za-z0-9]{40}$", key.SecretKey);
        var stored = await _catalog.GetAccessKeyAsync(key.AccessKeyId, Ct);
        Assert.NotNull(stored);
        Assert.True(stored.Active);
        Assert.DoesNotContain(key.SecretKey, System.Text.Encoding.Latin1.GetString(stored.SealedSecret), StringComparison.Ordinal);
        Assert.Equal(key.SecretKey, new SecretSealer(_keys).Unseal(stored.SealedSecret, key.AccessKeyId));
        Assert.True(_identities.FindActiveKey(key.AccessKeyId, out var active));
        Assert.Equal(new ActiveKey(key.AccessKeyId, "alice", key.SecretKey), active);
    }

    [Fact(Timeout = 30_000)]
    public async Task Changes_made_on_this_node_count_at_once()
    {
        var first = await _identities.CreateUserAsync("alice", Ct);
        var second = await _identities.AddAccessKeyAsync("alice", Ct);

        await _identities.SetAccessKeyActiveAsync(first.AccessKeyId, active: false, Ct);
        Assert.False(_identities.FindActiveKey(first.AccessKeyId, out _));
        Assert.True(_identities.FindActiveKey(second.AccessKeyId, out _));
        await _identities.SetAccessKeyActiveAsync(first.AccessKeyId, active: true, Ct);
        Assert.True(_identities.FindActiveKey(first.AccessKeyId, out _));

        var rotated = await _identities.RotateAccessKeyAsync(first.AccessKeyId, Ct);
        Assert.Equal("alice", rotated.UserName);
        Assert.False(_identities.FindActiveKey(first.AccessKeyId, out _));
        Assert.True(_identities.FindActiveKey(rotated.AccessKeyId, out var active));
        Assert.Equal(rotated.SecretKey, active.SecretKey);

        await _identities.DeleteAccessKeyAsync(second.AccessKeyId, Ct);
        Assert.False(_identities.FindActiveKey(second.AccessKeyId, out _));
        Assert.Equal([(first.AccessKeyId, false), (rotated.AccessKeyId, true)],
            (await _identities.ListAccessKeysAsync("alice", Ct)).Select(key => (key.AccessKeyId, key.Active)).OrderBy(pair => pair.AccessKeyId == rotated.AccessKeyId));

        await _identities.DeleteUserAsync("alice", Ct);
        Assert.False(_identities.FindActiveKey(rotated.AccessKeyId, out _));
        Assert.Empty(await _identities.ListUsersAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Another_nodes_change_counts_here_once_the_copy_is_older_than_the_refresh_interval()
    {
        var other = NewNode();
        await _identities.RefreshCredentialsAsync(Ct);
        var key = await other.CreateUserAsync("alice", Ct);

        // A miss reads again only once the copy is a second old: before, the key stays unknown.
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        for (var i = 0; i < 5; i++)
        {
            Assert.False(_identities.FindActiveKey(key.AccessKeyId, out _));
            await Task.Delay(50);
        }
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(_identities.FindActiveKey(key.AccessKeyId, out _)), found => found, TimeSpan.FromSeconds(10)));

        await other.SetAccessKeyActiveAsync(key.AccessKeyId, active: false, Ct);
        Assert.True(_identities.FindActiveKey(key.AccessKeyId, out _)); // the copy is younger than the interval
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(!_identities.FindActiveKey(key.AccessKeyId, out _)), gone => gone, TimeSpan.FromSeconds(10)));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/")]
    [InlineData("ünïcode")]
    [InlineData("a-name-of-sixty-five-characters-which-is-one-more-than-iam-allows")]
    public async Task A_bad_user_name_is_refused_and_nothing_is_written(string name)
    {
        var error = await Assert.ThrowsAsync<IdentityException>(() => _identities.CreateUserAsync(name, Ct));

        Assert.Equal(IdentityError.InvalidName, error.Error);
        Assert.Empty(await _catalog.ListUsersAsync(Ct));
        Assert.Empty(await _catalog.ListAccessKeysAsync(null, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task Missing_users_and_keys_a_taken_name_and_a_user_owning_a_bucket_are_refused_with_nothing_changed()
    {
        var key = await _identities.CreateUserAsync("alice", Ct);
        Assert.True(await _catalog.TryCreateBucketAsync(new BucketRecord("alices", _clock.GetUtcNow(), "us-east-1") { Owner = "alice" }, Ct));

        Assert.Equal(IdentityError.UserExists, (await Assert.ThrowsAsync<IdentityException>(() => _identities.CreateUserAsync("alice", Ct))).Error);
        Assert.Equal(IdentityError.NoSuchUser, (await Assert.ThrowsAsync<IdentityException>(() => _identities.AddAccessKeyAsync("bob", Ct))).Error);
        Assert.Equal(IdentityError.NoSuchUser, (await Assert.ThrowsAsync<IdentityException>(() => _identities.ListAccessKeysAsync("bob", Ct))).Error);
        Assert.Equal(IdentityError.NoSuchUser, (await Assert.ThrowsAsync<IdentityException>(() => _identities.DeleteUserAsync("bob", Ct))).Error);
        Assert.Equal(IdentityError.NoSuchKey,
            (await Assert.ThrowsAsync<IdentityException>(() => _identities.SetAccessKeyActiveAsync("CKNONE", active: false, Ct))).Error);
        Assert.Equal(IdentityError.NoSuchKey, (await Assert.ThrowsAsync<IdentityException>(() => _identities.RotateAccessKeyAsync("CKNONE", Ct))).Error);
        Assert.Equal(IdentityError.NoSuchKey, (await Assert.ThrowsAsync<IdentityException>(() => _identities.DeleteAccessKeyAsync("CKNONE", Ct))).Error);
        Assert.Equal(IdentityError.UserOwnsBuckets, (await Assert.ThrowsAsync<IdentityException>(() => _identities.DeleteUserAsync("alice", Ct))).Error);

        Assert.Equal(["alice"], (await _identities.ListUsersAsync(Ct)).Select(user => user.Name));
        Assert.Equal([key.AccessKeyId], (await _identities.ListAccessKeysAsync(null, Ct)).Select(listed => listed.AccessKeyId));
        Assert.True(_identities.FindActiveKey(key.AccessKeyId, out _));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_key_sealed_under_a_server_key_this_node_lacks_is_refused_and_the_others_still_work()
    {
        var key = await _identities.CreateUserAsync("alice", Ct);
        var stranger = new IdentityService(_catalog, new SecretSealer(ServerKeyRing.CreateNew(DateTimeOffset.UnixEpoch)), _options, _clock,
            NullLogger<IdentityService>.Instance);
        var strangersKey = await stranger.CreateUserAsync("bob", Ct);

        await _identities.RefreshCredentialsAsync(Ct);

        Assert.True(_identities.FindActiveKey(key.AccessKeyId, out _));
        Assert.False(_identities.FindActiveKey(strangersKey.AccessKeyId, out _));
    }
}
