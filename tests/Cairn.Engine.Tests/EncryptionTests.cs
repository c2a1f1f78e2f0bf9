using System.Security.Cryptography;
using Cairn.Engine.Encryption;
using Cairn.Engine.Identity;

namespace Cairn.Engine.Tests;

/// <summary>The body cipher's frames and the data-key envelope (issue 14): round trips, ranges, tampering, keys, rotation.</summary>
public sealed class EncryptionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static (byte[] Plain, byte[] Stored, BodyCipher Cipher) Sealed(int length)
    {
        var cipher = new BodyCipher(BodyCipher.NewDataKey());
        var plain = RandomNumberGenerator.GetBytes(length);
        var stored = new byte[BodyCipher.StoredLength(length)];
        Assert.Equal(stored.Length, cipher.EncryptChunk(plain, stored));
        return (plain, stored, cipher);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(BodyCipher.FrameSize - 1)]
    [InlineData(BodyCipher.FrameSize)]
    [InlineData(BodyCipher.FrameSize + 1)]
    [InlineData(4 * 1024 * 1024)]
    public void A_chunk_round_trips_and_its_plain_length_follows_from_its_stored_length(int length)
    {
        var (plain, stored, cipher) = Sealed(length);

        var opened = new byte[length];
        var written = cipher.DecryptFrames(stored, 0, opened);

        Assert.Equal(length, written);
        Assert.Equal(plain, opened);
        Assert.Equal(length, BodyCipher.PlainLength(stored.Length));
        Assert.Equal(length == 0 ? 0 : ((length + BodyCipher.FrameSize - 1) / BodyCipher.FrameSize * BodyCipher.FrameOverhead) + length, stored.Length);
    }

    [Fact]
    public void Any_range_is_read_from_the_frames_that_hold_it()
    {
        var (plain, stored, cipher) = Sealed(300_000);
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var from = random.Next(plain.Length);
            var count = random.Next(1, plain.Length - from + 1);
            var (storedFrom, storedCount, firstFrame, skip) = BodyCipher.Locate(stored.Length, from, count);
            var opened = new byte[storedCount];
            cipher.DecryptFrames(stored.AsSpan(storedFrom, storedCount), firstFrame, opened);
            Assert.Equal(plain.AsSpan(from, count).ToArray(), opened.AsSpan(skip, count).ToArray());
        }
    }

    [Fact]
    public void Equal_plaintexts_give_different_ciphertexts_so_stored_chunks_never_show_equal_bodies()
    {
        var cipher = new BodyCipher(BodyCipher.NewDataKey());
        var plain = new byte[100_000];
        var first = new byte[BodyCipher.StoredLength(plain.Length)];
        var second = new byte[first.Length];

        cipher.EncryptChunk(plain, first);
        cipher.EncryptChunk(plain, second);

        Assert.NotEqual(first, second);
        Assert.True(first.AsSpan().IndexOf(new byte[64]) < 0, "runs of the zero plaintext show in the ciphertext");
    }

    [Fact]
    public void An_altered_moved_or_foreign_frame_does_not_open()
    {
        var (_, stored, cipher) = Sealed(3 * BodyCipher.FrameSize);
        var frame = BodyCipher.FrameSize + BodyCipher.FrameOverhead;
        var opened = new byte[3 * BodyCipher.FrameSize];

        var altered = (byte[])stored.Clone();
        altered[frame + 100] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => cipher.DecryptFrames(altered, 0, opened));

        var swapped = (byte[])stored.Clone();
        stored.AsSpan(0, frame).CopyTo(swapped.AsSpan(frame));
        stored.AsSpan(frame, frame).CopyTo(swapped);
        Assert.ThrowsAny<CryptographicException>(() => cipher.DecryptFrames(swapped, 0, opened));

        Assert.ThrowsAny<CryptographicException>(() => new BodyCipher(BodyCipher.NewDataKey()).DecryptFrames(stored, 0, opened));
        Assert.ThrowsAny<CryptographicException>(() => cipher.DecryptFrames(stored.AsSpan(0, stored.Length - 1), 0, opened));
    }

    [Fact]
    public void An_SSE_S3_key_opens_with_the_server_keys_and_refuses_a_customer_key()
    {
        var sealer = ServerKeyRing.CreateNew(Now);
        var dataKey = BodyCipher.NewDataKey();

        var envelope = DataKeyEnvelope.SealForServer(dataKey, sealer);

        Assert.Equal(EncryptionMode.ServerManaged, DataKeyEnvelope.ModeOf(envelope));
        Assert.Equal(dataKey, DataKeyEnvelope.Open(envelope, customerKey: null, sealer));
        var error = Assert.Throws<DataKeyException>(() => DataKeyEnvelope.Open(envelope, RandomNumberGenerator.GetBytes(32), sealer));
        Assert.Equal(DataKeyFailure.CustomerKeyNotApplicable, error.Failure);
    }

    [Fact]
    public void An_SSE_C_key_opens_only_with_the_customers_key_which_is_not_stored()
    {
        var sealer = ServerKeyRing.CreateNew(Now);
        var customerKey = RandomNumberGenerator.GetBytes(32);
        var dataKey = BodyCipher.NewDataKey();

        var envelope = DataKeyEnvelope.SealForCustomer(dataKey, customerKey);

        Assert.Equal(EncryptionMode.CustomerKey, DataKeyEnvelope.ModeOf(envelope));
        Assert.Equal(dataKey, DataKeyEnvelope.Open(envelope, customerKey, sealer));
        Assert.Equal(DataKeyFailure.CustomerKeyMissing, Assert.Throws<DataKeyException>(() => DataKeyEnvelope.Open(envelope, null, sealer)).Failure);
        Assert.Equal(DataKeyFailure.CustomerKeyWrong,
            Assert.Throws<DataKeyException>(() => DataKeyEnvelope.Open(envelope, RandomNumberGenerator.GetBytes(32), sealer)).Failure);
        Assert.True(envelope.AsSpan().IndexOf(customerKey) < 0 && envelope.AsSpan().IndexOf(MD5.HashData(customerKey)) < 0);
        Assert.True(envelope.AsSpan().IndexOf(dataKey) < 0);
    }

    [Fact]
    public void After_rotation_new_keys_are_sealed_under_the_new_server_key_and_old_ones_still_open()
    {
        var ring = ServerKeyRing.CreateNew(Now);
        var oldKey = BodyCipher.NewDataKey();
        var oldEnvelope = DataKeyEnvelope.SealForServer(oldKey, ring);

        var rotated = ring.Rotate(Now.AddDays(1));
        var sealer = rotated;
        var newEnvelope = DataKeyEnvelope.SealForServer(BodyCipher.NewDataKey(), sealer);

        Assert.Equal(ring.Current.Id, DataKeyEnvelope.ServerKeyIdOf(oldEnvelope));
        Assert.Equal(rotated.Current.Id, DataKeyEnvelope.ServerKeyIdOf(newEnvelope));
        Assert.NotEqual(ring.Current.Id, rotated.Current.Id);
        Assert.Equal(oldKey, DataKeyEnvelope.Open(oldEnvelope, null, sealer));
        var without = ServerKeyRing.CreateNew(Now);
        Assert.Equal(DataKeyFailure.ServerKeyMissing, Assert.Throws<DataKeyException>(() => DataKeyEnvelope.Open(oldEnvelope, null, without)).Failure);
    }

    [Fact]
    public void Every_SSE_S3_envelope_seals_under_a_key_of_its_own()
    {
        var ring = ServerKeyRing.CreateNew(Now);
        var dataKey = BodyCipher.NewDataKey();

        var first = DataKeyEnvelope.SealForServer(dataKey, ring);
        var second = DataKeyEnvelope.SealForServer(dataKey, ring);

        // The same data key under the same server key: different salts, so different sealing keys and bytes.
        Assert.NotEqual(first, second);
        Assert.Equal(dataKey, DataKeyEnvelope.Open(second, null, ring));
        var altered = (byte[])first.Clone();
        altered[^1] ^= 1;
        Assert.Equal(DataKeyFailure.ServerKeyMissing, Assert.Throws<DataKeyException>(() => DataKeyEnvelope.Open(altered, null, ring)).Failure);
    }
}
