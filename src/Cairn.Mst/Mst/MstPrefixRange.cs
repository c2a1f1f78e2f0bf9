using System.Text;

namespace Cairn.Mst;

/// <summary>
/// The keys that start with a prefix, as a range of the MST's bytewise order: from the prefix itself
/// up to (not including) its successor, the shortest key after every key with the prefix. A range
/// export and its verification agree on which subtrees it needs through <see cref="Overlaps"/>.
/// </summary>
public sealed class MstPrefixRange
{
    private readonly byte[] _prefix;
    private readonly byte[]? _end; // null: no key after the range (a prefix of 0xFF bytes only)

    private MstPrefixRange(byte[] prefix)
    {
        _prefix = prefix;
        var last = Array.FindLastIndex(prefix, static b => b != 0xFF);
        if (last >= 0)
        {
            _end = prefix[..(last + 1)];
            _end[last]++;
        }
    }

    /// <summary>The prefix's UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> Prefix => _prefix;

    /// <summary>The range of keys starting with <paramref name="prefix"/> (UTF-8); null for no prefix or an empty one: every key.</summary>
    public static MstPrefixRange? For(string? prefix) =>
        string.IsNullOrEmpty(prefix) ? null : new MstPrefixRange(Encoding.UTF8.GetBytes(prefix));

    /// <summary>Whether <paramref name="key"/> starts with the prefix.</summary>
    public bool Contains(ReadOnlySpan<byte> key) => key.StartsWith(_prefix);

    /// <summary>
    /// Whether a subtree whose keys lie strictly between <paramref name="lower"/> and
    /// <paramref name="upper"/> (null: unbounded on that side) can hold a key with the prefix: the
    /// open interval meets the range. (A subtree's bounds are its parent's neighbouring keys, or the
    /// parent's own bounds at its edges.)
    /// </summary>
    public bool Overlaps(byte[]? lower, byte[]? upper) =>
        (upper is null || MstKey.Compare(upper, _prefix) > 0) && (lower is null || _end is null || MstKey.Compare(lower, _end) < 0);
}
