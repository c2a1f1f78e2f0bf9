using System.Buffers.Binary;
using System.Security.Cryptography;
using Cairn.Core;

namespace Cairn.Engine.Encryption;

/// <summary>
/// Encrypts and decrypts an object's body under its data key, a chunk at a time (issue 14). A chunk's
/// plaintext is cut into frames of <see cref="FrameSize"/> bytes (the last may be shorter); each frame is
/// stored as a random 12-byte nonce, its AES-256-GCM ciphertext and the 16-byte tag, with the frame's
/// index in its chunk as associated data (frames cannot be reordered). A chunk is self-contained: its
/// plaintext length follows from its stored length, so a range is read by fetching and opening only
/// the frames it covers, and chunks of parts concatenate as they are. Random nonces keep a data key safe
/// for far more frames than one object has (2^32 under one key).
/// </summary>
public sealed class BodyCipher
{
    /// <summary>Plaintext bytes per frame (<see cref="EncryptedBodyLayout.FrameSize"/>).</summary>
    public const int FrameSize = EncryptedBodyLayout.FrameSize;

    /// <summary>Bytes a frame adds: its nonce and its tag.</summary>
    public const int FrameOverhead = EncryptedBodyLayout.FrameOverhead;

    /// <summary>Bytes of a data key (AES-256).</summary>
    public const int KeyLength = 32;

    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int StoredFrameSize = EncryptedBodyLayout.StoredFrameSize;

    private readonly byte[] _key;

    public BodyCipher(byte[] dataKey)
    {
        ArgumentNullException.ThrowIfNull(dataKey);
        if (dataKey.Length != KeyLength)
        {
            throw new ArgumentException($"A data key is {KeyLength} bytes.", nameof(dataKey));
        }
        _key = dataKey;
    }

    /// <summary>A new random data key.</summary>
    public static byte[] NewDataKey() => RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>The stored length of a chunk of <paramref name="plainLength"/> bytes.</summary>
    public static long StoredLength(long plainLength) => EncryptedBodyLayout.StoredLength(plainLength);

    /// <summary>The plaintext length of a chunk stored as <paramref name="storedLength"/> bytes.</summary>
    public static long PlainLength(long storedLength) => EncryptedBodyLayout.PlainLength(storedLength);

    /// <summary>Encrypts one chunk's plaintext into <paramref name="stored"/>, which holds <see cref="StoredLength"/> of it; returns that length.</summary>
    public int EncryptChunk(ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        using var aes = new AesGcm(_key, TagLength);
        Span<byte> index = stackalloc byte[4];
        var written = 0;
        for (var frame = 0; frame * FrameSize < plain.Length; frame++)
        {
            var piece = plain.Slice(frame * FrameSize, Math.Min(FrameSize, plain.Length - frame * FrameSize));
            var target = stored.Slice(written, piece.Length + FrameOverhead);
            RandomNumberGenerator.Fill(target[..NonceLength]);
            BinaryPrimitives.WriteInt32BigEndian(index, frame);
            aes.Encrypt(target[..NonceLength], piece, target.Slice(NonceLength, piece.Length), target[(NonceLength + piece.Length)..], index);
            written += target.Length;
        }
        return written;
    }

    /// <summary>
    /// Opens consecutive stored frames of a chunk, the first being frame <paramref name="firstFrame"/>,
    /// into <paramref name="plain"/>; returns the plaintext length. Throws
    /// <see cref="AuthenticationTagMismatchException"/> when a frame was altered, moved or is another key's.
    /// </summary>
    public int DecryptFrames(ReadOnlySpan<byte> stored, int firstFrame, Span<byte> plain)
    {
        using var aes = new AesGcm(_key, TagLength);
        Span<byte> index = stackalloc byte[4];
        var read = 0;
        var written = 0;
        for (var frame = firstFrame; read < stored.Length; frame++)
        {
            var length = Math.Min(StoredFrameSize, stored.Length - read);
            if (length <= FrameOverhead)
            {
                throw new AuthenticationTagMismatchException("An encrypted frame is cut short.");
            }
            var source = stored.Slice(read, length);
            var pieceLength = length - FrameOverhead;
            BinaryPrimitives.WriteInt32BigEndian(index, frame);
            aes.Decrypt(source[..NonceLength], source.Slice(NonceLength, pieceLength), source[(NonceLength + pieceLength)..],
                plain.Slice(written, pieceLength), index);
            read += length;
            written += pieceLength;
        }
        return written;
    }

    /// <summary>
    /// Where plaintext bytes [<paramref name="from"/>, from + <paramref name="count"/>) of a chunk lie in its
    /// stored form: the stored range of the frames that hold them, the first frame's index, and where the
    /// bytes start in those frames' plaintext.
    /// </summary>
    public static (int StoredFrom, int StoredCount, int FirstFrame, int Skip) Locate(int storedLength, int from, int count)
    {
        var firstFrame = from / FrameSize;
        var lastFrame = (from + count - 1) / FrameSize;
        var storedFrom = firstFrame * StoredFrameSize;
        var storedTo = Math.Min((lastFrame + 1) * StoredFrameSize, storedLength);
        return (storedFrom, storedTo - storedFrom, firstFrame, from - firstFrame * FrameSize);
    }
}
