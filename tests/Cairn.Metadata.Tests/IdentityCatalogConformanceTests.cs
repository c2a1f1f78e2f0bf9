namespace Cairn.Metadata.Tests;

/// <summary>
/// Users and access keys (issue 14): made once, listed in order, keys made active or inactive,
/// rotated in one transaction, deleted; a user owning a bucket is not deleted; bucket owners are kept.
/// Bad input changes nothing.
/// </summary>
public abstract class IdentityCatalogConformanceTests<TTarget>(TTarget target) : CatalogConformanceTests<TTarget>(target)
    where TTarget : ICatalogTarget
{
    private static AccessKeyRecord Key(string id, string user, bool active = true, int minutes = 0) =>
        new(id, user, [1, 2, 3, (byte)id.Length], active, Now.AddMinutes(minutes));

    private static void AssertSameKey(AccessKeyRecord expected, AccessKeyRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.AccessKeyId, expected.UserName, expected.Active, expected.CreatedAt),
            (actual.AccessKeyId, actual.UserName, actual.Active, actual.CreatedAt));
        Assert.Equal(expected.SealedSecret, actual.SealedSecret);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_user_is_made_once_and_listed_by_name()
    {
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("bob", Now), Ct));
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("Alice", Now.AddMinutes(1)), Ct));
        Assert.False(await Catalog.Identities.TryCreateUserAsync(new UserRecord("bob", Now.AddMinutes(2)), Ct));
        // IAM does not tell user names apart by case.
        Assert.False(await Catalog.Identities.TryCreateUserAsync(new UserRecord("BOB", Now.AddMinutes(2)), Ct));
        Assert.False(await Catalog.Identities.TryCreateUserAsync(new UserRecord("alice", Now.AddMinutes(2)), Ct));

        await ReopenAsync();
        Assert.Equal(new UserRecord("bob", Now), await Catalog.Identities.GetUserAsync("bob", Ct));
        Assert.Null(await Catalog.Identities.GetUserAsync("Bob", Ct));
        // Ordinal order: upper case first.
        Assert.Equal([new UserRecord("Alice", Now.AddMinutes(1)), new UserRecord("bob", Now)], await Catalog.Identities.ListUsersAsync(Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Keys_are_added_to_existing_users_only_and_their_ids_are_unique()
    {
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("bob", Now), Ct));
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("carol", Now), Ct));
        var first = Key("CKBOB1", "bob");
        var second = Key("CKBOB2", "bob", active: false, minutes: 1);
        var carols = Key("CKCAROL", "carol");

        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.AddAccessKeyAsync(second, Ct));
        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.AddAccessKeyAsync(first, Ct));
        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.AddAccessKeyAsync(carols, Ct));
        Assert.Equal(AddAccessKeyOutcome.NoSuchUser, await Catalog.Identities.AddAccessKeyAsync(Key("CKNOBODY", "nobody"), Ct));
        Assert.Equal(AddAccessKeyOutcome.KeyExists, await Catalog.Identities.AddAccessKeyAsync(Key("CKBOB1", "carol", minutes: 5), Ct));

        await ReopenAsync();
        AssertSameKey(first, await Catalog.Identities.GetAccessKeyAsync("CKBOB1", Ct));
        AssertSameKey(second, await Catalog.Identities.GetAccessKeyAsync("CKBOB2", Ct));
        Assert.Null(await Catalog.Identities.GetAccessKeyAsync("CKNOBODY", Ct));
        Assert.Equal(["CKBOB1", "CKBOB2"], (await Catalog.Identities.ListAccessKeysAsync("bob", Ct)).Select(key => key.AccessKeyId));
        Assert.Equal(["CKBOB1", "CKBOB2", "CKCAROL"], (await Catalog.Identities.ListAccessKeysAsync(null, Ct)).Select(key => key.AccessKeyId));
        Assert.Empty(await Catalog.Identities.ListAccessKeysAsync("nobody", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_key_is_made_inactive_and_active_again_and_deleted()
    {
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("bob", Now), Ct));
        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.AddAccessKeyAsync(Key("CKBOB1", "bob"), Ct));

        Assert.True(await Catalog.Identities.SetAccessKeyActiveAsync("CKBOB1", active: false, Ct));
        Assert.False((await Catalog.Identities.GetAccessKeyAsync("CKBOB1", Ct))!.Active);
        Assert.True(await Catalog.Identities.SetAccessKeyActiveAsync("CKBOB1", active: true, Ct));
        Assert.True((await Catalog.Identities.GetAccessKeyAsync("CKBOB1", Ct))!.Active);
        Assert.False(await Catalog.Identities.SetAccessKeyActiveAsync("CKNONE", active: false, Ct));

        Assert.True(await Catalog.Identities.DeleteAccessKeyAsync("CKBOB1", Ct));
        Assert.False(await Catalog.Identities.DeleteAccessKeyAsync("CKBOB1", Ct));
        Assert.Null(await Catalog.Identities.GetAccessKeyAsync("CKBOB1", Ct));
        Assert.NotNull(await Catalog.Identities.GetUserAsync("bob", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task Rotation_adds_the_new_key_to_the_old_keys_user_and_makes_the_old_one_inactive_or_changes_nothing()
    {
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("bob", Now), Ct));
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("carol", Now), Ct));
        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.AddAccessKeyAsync(Key("CKOLD", "bob"), Ct));
        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.AddAccessKeyAsync(Key("CKCAROL", "carol"), Ct));

        // Refused: no old key, or the new id taken (the old key stays active).
        Assert.Equal(AddAccessKeyOutcome.NoSuchUser, await Catalog.Identities.RotateAccessKeyAsync("CKNONE", Key("CKNEW", "bob"), Ct));
        Assert.Equal(AddAccessKeyOutcome.KeyExists, await Catalog.Identities.RotateAccessKeyAsync("CKOLD", Key("CKCAROL", "bob"), Ct));
        Assert.True((await Catalog.Identities.GetAccessKeyAsync("CKOLD", Ct))!.Active);
        Assert.Null(await Catalog.Identities.GetAccessKeyAsync("CKNEW", Ct));

        // The replacement names carol, but a rotation keeps the old key's user.
        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.RotateAccessKeyAsync("CKOLD", Key("CKNEW", "carol", minutes: 1), Ct));
        Assert.False((await Catalog.Identities.GetAccessKeyAsync("CKOLD", Ct))!.Active);
        AssertSameKey(Key("CKNEW", "bob", minutes: 1), await Catalog.Identities.GetAccessKeyAsync("CKNEW", Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_user_is_deleted_with_its_keys_but_not_while_it_owns_a_bucket()
    {
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("bob", Now), Ct));
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("carol", Now), Ct));
        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.AddAccessKeyAsync(Key("CKBOB", "bob"), Ct));
        Assert.Equal(AddAccessKeyOutcome.Added, await Catalog.Identities.AddAccessKeyAsync(Key("CKCAROL", "carol"), Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("bobs", Now, "us-east-1") { Owner = "bob" }, Ct));

        Assert.Equal(DeleteUserOutcome.OwnsBuckets, await Catalog.Identities.DeleteUserAsync("bob", Ct));
        Assert.NotNull(await Catalog.Identities.GetUserAsync("bob", Ct));
        Assert.NotNull(await Catalog.Identities.GetAccessKeyAsync("CKBOB", Ct));

        Assert.Equal(DeleteBucketOutcome.Deleted, await Catalog.Buckets.DeleteBucketAsync("bobs", Now, Grace, Ct));
        Assert.Equal(DeleteUserOutcome.Deleted, await Catalog.Identities.DeleteUserAsync("bob", Ct));
        Assert.Equal(DeleteUserOutcome.NotFound, await Catalog.Identities.DeleteUserAsync("bob", Ct));
        Assert.Null(await Catalog.Identities.GetUserAsync("bob", Ct));
        Assert.Null(await Catalog.Identities.GetAccessKeyAsync("CKBOB", Ct));
        Assert.Equal(["CKCAROL"], (await Catalog.Identities.ListAccessKeysAsync(null, Ct)).Select(key => key.AccessKeyId));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_buckets_owner_is_kept_root_owns_a_bucket_made_without_one_and_no_bucket_is_made_for_a_missing_user()
    {
        Assert.False(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("bobs", Now, "us-east-1") { Owner = "bob" }, Ct));
        Assert.Null(await Catalog.Buckets.GetBucketAsync("bobs", Ct));
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("bob", Now), Ct));
        Assert.True(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("bobs", Now, "us-east-1") { Owner = "bob" }, Ct));
        // A second create of the name changes nothing, whoever asks.
        Assert.True(await Catalog.Identities.TryCreateUserAsync(new UserRecord("carol", Now), Ct));
        Assert.False(await Catalog.Buckets.TryCreateBucketAsync(new BucketRecord("bobs", Now.AddMinutes(1), "us-east-1") { Owner = "carol" }, Ct));

        await ReopenAsync();
        Assert.Equal("bob", (await Catalog.Buckets.GetBucketAsync("bobs", Ct))!.Owner);
        Assert.Null((await Catalog.Buckets.GetBucketAsync(Bucket, Ct))!.Owner);
        Assert.Equal([("bobs", "bob"), (Bucket, (string?)null)],
            (await Catalog.Buckets.ListBucketsAsync(Ct)).Select(bucket => (bucket.Name, bucket.Owner)).OrderBy(pair => pair.Name, StringComparer.Ordinal));
    }
}
