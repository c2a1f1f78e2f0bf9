using System.Security.Cryptography;
using System.Text;
using Cairn.Engine.Identity;

namespace Cairn.Engine.Tests;

/// <summary>
/// The server key file and secret sealing (issue 14): a file made once and read back, kept from
/// other users; rotation keeps what old keys sealed readable; a secret is bound to its context; bad
/// files and altered or foreign sealed secrets are refused.
/// </summary>
public sealed class ServerKeyRingTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("cairn-keys-").FullName;

    private string KeyFile => Path.Join(_directory, "server-keys.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_key_file_is_made_once_readable_by_its_owner_only_and_read_back_the_same()
    {
        var made = ServerKeyRing.LoadOrCreate(KeyFile, Now);
        var read = ServerKeyRing.LoadOrCreate(KeyFile, Now.AddDays(1));

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        }
        Assert.Equal(made.Current.Id, read.Current.Id);
        Assert.Equal(made.Current.Material, read.Current.Material);
        Assert.Equal(ServerKeyRing.KeyLength, read.Current.Material.Length);
        Assert.Equal(Now, read.Current.CreatedAt);
    }

    [Fact]
    public void After_rotation_new_secrets_are_sealed_under_the_new_key_and_old_ones_still_unseal()
    {
        var first = ServerKeyRing.LoadOrCreate(KeyFile, Now);
        var sealedBefore = new SecretSealer(first).Seal("old secret", "CKONE");

        var rotated = first.Rotate(Now.AddDays(30));
        rotated.Save(KeyFile);
        var reloaded = ServerKeyRing.Load(KeyFile);
        var sealer = new SecretSealer(reloaded);
        var sealedAfter = sealer.Seal("new secret", "CKTWO");

        Assert.Equal([first.Current.Id, rotated.Current.Id], reloaded.Keys.Select(key => key.Id));
        Assert.NotEqual(first.Current.Id, rotated.Current.Id);
        Assert.Equal(rotated.Current.Id, reloaded.Current.Id);
        Assert.Equal("old secret", sealer.Unseal(sealedBefore, "CKONE"));
        Assert.Equal("new secret", sealer.Unseal(sealedAfter, "CKTWO"));
        // The first ring never held the new key: what it sealed is refused there, naming the key.
        var refused = Assert.Throws<CryptographicException>(() => new SecretSealer(first).Unseal(sealedAfter, "CKTWO"));
        Assert.Contains(rotated.Current.Id, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sealed_secret_holds_no_plaintext_and_opens_only_for_its_context_unaltered()
    {
        var sealer = new SecretSealer(ServerKeyRing.CreateNew(Now));
        const string Secret = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
        var sealedBytes = sealer.Seal(Secret, "CKCONTEXT");

        Assert.DoesNotContain("abcdefghij", Encoding.UTF8.GetString(sealedBytes), StringComparison.Ordinal);
        Assert.NotEqual(sealedBytes, sealer.Seal(Secret, "CKCONTEXT")); // a fresh nonce each time
        Assert.Equal(Secret, sealer.Unseal(sealedBytes, "CKCONTEXT"));
        Assert.ThrowsAny<CryptographicException>(() => sealer.Unseal(sealedBytes, "CKOTHER"));
        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var altered = (byte[])sealedBytes.Clone();
            altered[i] ^= 0x01;
            Assert.ThrowsAny<CryptographicException>(() => sealer.Unseal(altered, "CKCONTEXT"));
        }
        Assert.ThrowsAny<CryptographicException>(() => sealer.Unseal(sealedBytes[..10], "CKCONTEXT"));
        Assert.ThrowsAny<CryptographicException>(() => sealer.Unseal([], "CKCONTEXT"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Processes_making_the_key_file_at_once_end_with_one_ring_and_no_leftover_files()
    {
        var rings = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => ServerKeyRing.LoadOrCreate(KeyFile, Now))));

        Assert.Single(rings.Select(ring => ring.Current.Id).Distinct());
        Assert.Equal(rings[0].Current.Id, ServerKeyRing.Load(KeyFile).Current.Id);
        Assert.Equal([KeyFile], Directory.GetFiles(_directory));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"current": "k1", "keys": []}""")]
    [InlineData("""{"current": "k2", "keys": [{"id": "k1", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "created": "2026-12-05T12:00:00+00:00"}]}""")]
    [InlineData("""{"current": "k1", "keys": [{"id": "k1", "key": "AAAA", "created": "2026-12-05T12:00:00+00:00"}]}""")]
    [InlineData("""{"current": "k1", "keys": [{"id": "k1", "key": "not base64!", "created": "2026-12-05T12:00:00+00:00"}]}""")]
    [InlineData("""{"current": "k1", "keys": [{"id": "", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "created": "2026-12-05T12:00:00+00:00"}]}""")]
    [InlineData("""{"current": "k1", "keys": [{"id": "k1", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "created": "2026-12-05T12:00:00+00:00"}, {"id": "k1", "key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "created": "2026-12-05T12:00:00+00:00"}]}""")]
    public void A_malformed_key_file_is_refused_and_left_as_it_is(string content)
    {
        File.WriteAllText(KeyFile, content);

        Assert.Throws<InvalidDataException>(() => ServerKeyRing.LoadOrCreate(KeyFile, Now));
        Assert.Equal(content, File.ReadAllText(KeyFile));
    }
}
