using System.Numerics;
using System.Security.Cryptography;

namespace Cairn.Mst;

/// <summary>
/// Key rules of the atproto MST (https://atproto.com/specs/repository#mst-structure), applied to
/// raw key bytes: Cairn's keys are S3 keys as UTF-8, compared bytewise, with no atproto key syntax.
/// </summary>
public static class MstKey
{
    /// <summary>
    /// The key's layer: leading zero bits of SHA-256(key), counted in 2-bit steps (fanout 4).
    /// </summary>
    public static int Height(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(key, hash);
        var zeros = 0;
        foreach (var b in hash)
        {
            if (b != 0)
            {
                zeros += BitOperations.LeadingZeroCount((uint)b) - 24;
                break;
            }
            zeros += 8;
        }
        return zeros / 2;
    }

    /// <summary>The number of leading bytes two keys share (the node format's <c>p</c>).</summary>
    public static int CommonPrefixLength(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        left.CommonPrefixLength(right);

    /// <summary>Bytewise (unsigned, shorter-first on a tie) order: the MST's key order.</summary>
    public static int Compare(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => left.SequenceCompareTo(right);

    /// <summary>An <see cref="IComparer{T}"/> over key byte arrays, in MST order.</summary>
    public static IComparer<byte[]> Comparer { get; } = Comparer<byte[]>.Create(static (a, b) => a.AsSpan().SequenceCompareTo(b));
}
