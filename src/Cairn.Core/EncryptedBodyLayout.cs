namespace Cairn.Core;

/// <summary>
/// How an encrypted body's chunks are laid out (issue 14): each chunk's plaintext in frames of
/// <see cref="FrameSize"/> bytes (the last may be shorter), each frame stored with a 12-byte nonce and
/// a 16-byte tag. Shared by the engine, which encrypts, and the manifests, which must tell an encrypted
/// body's stored chunk lengths from its plaintext size.
/// </summary>
public static class EncryptedBodyLayout
{
    /// <summary>Plaintext bytes per frame. Each chunk is framed from its own start, so frames never span chunks.</summary>
    public const int FrameSize = 64 * 1024;

    /// <summary>Bytes a frame adds: its nonce and its tag.</summary>
    public const int FrameOverhead = 12 + 16;

    /// <summary>A whole frame as stored.</summary>
    public const int StoredFrameSize = FrameSize + FrameOverhead;

    /// <summary>The stored length of a chunk of <paramref name="plainLength"/> bytes.</summary>
    public static long StoredLength(long plainLength) => plainLength + ((plainLength + FrameSize - 1) / FrameSize * FrameOverhead);

    /// <summary>The plaintext length of a chunk stored as <paramref name="storedLength"/> bytes (-1 when no chunk is stored that long).</summary>
    public static long PlainLength(long storedLength)
    {
        var plain = storedLength - ((storedLength + StoredFrameSize - 1) / StoredFrameSize * FrameOverhead);
        return plain >= 0 && StoredLength(plain) == storedLength ? plain : -1;
    }
}
