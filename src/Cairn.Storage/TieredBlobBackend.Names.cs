using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Cairn.Storage;

/// <summary>The blob names of cold tiers and the rules for tier names.</summary>
public sealed partial class TieredBlobBackend
{
    /// <summary>
    /// The first segment of every blob name kept in a cold tier: <c>tiers/&lt;segment&gt;/&lt;name&gt;</c>
    /// (<see cref="NameIn"/>). The whole <c>tiers/</c> namespace belongs to the tiers; the hot
    /// backend never holds a name under it.
    /// </summary>
    public const string NamePrefix = "tiers/";

    /// <summary>Longest tier name, in characters.</summary>
    public const int MaxTierNameLength = 64;

    // A tier name is written by an operator (configuration) and by clients (a lifecycle Transition's
    // StorageClass), so it keeps S3's storage class alphabet; its segment is the blob-name spelling.
    private static readonly SearchValues<char> TierNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    // STANDARD and REDUCED_REDUNDANCY are the hot storage classes S3 clients send on every write;
    // a tier of that name would make ordinary writes look like transitions. Compared by segment, so
    // "Reduced-Redundancy" is refused too.
    private static readonly string[] ReservedSegments = ["standard", "reduced-redundancy"];

    /// <summary>
    /// The tier name as a blob-name segment: lower-cased, <c>_</c> mapped to <c>-</c> (blob names
    /// allow only <c>[a-z0-9._-]</c>). Two tier names with the same segment cannot both be configured.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tier"/> is not a valid tier name (<see cref="IsValidTierName"/>).</exception>
    public static string SegmentOf(string tier)
    {
        ThrowIfInvalidTierName(tier);
        return SegmentOfValid(tier);
    }

    /// <summary>
    /// The blob name under which chunk blob <paramref name="name"/> lives in tier <paramref name="tier"/>:
    /// <c>tiers/&lt;segment&gt;/&lt;name&gt;</c>. The tier's own store holds it as <paramref name="name"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid tier name, or a result that is not a valid blob name (too long).</exception>
    public static string NameIn(string tier, string name)
    {
        BlobName.ThrowIfInvalid(name);
        var full = PrefixOf(tier) + name;
        BlobName.ThrowIfInvalid(full);
        return full;
    }

    /// <summary>What every blob name in tier <paramref name="tier"/> starts with: <c>tiers/&lt;segment&gt;/</c>.</summary>
    /// <exception cref="ArgumentException">An invalid tier name.</exception>
    public static string PrefixOf(string tier) => NamePrefix + SegmentOf(tier) + "/";

    /// <summary>True when <paramref name="blobName"/> has the form <c>tiers/&lt;segment&gt;/&lt;name&gt;</c> (<see cref="NameIn"/>).</summary>
    public static bool IsTierName([NotNullWhen(true)] string? blobName) => TrySplitName(blobName, out _, out _);

    /// <summary>
    /// Splits <c>tiers/&lt;segment&gt;/&lt;name&gt;</c> into the tier's segment and the name the tier
    /// stores; false for any other name (a hot blob's). The segment is not checked against the
    /// configured tiers.
    /// </summary>
    public static bool TrySplitName([NotNullWhen(true)] string? blobName, [NotNullWhen(true)] out string? segment,
        [NotNullWhen(true)] out string? name)
    {
        segment = null;
        name = null;
        if (blobName is null || !BlobName.IsValid(blobName) || !blobName.StartsWith(NamePrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var slash = blobName.IndexOf('/', NamePrefix.Length);
        if (slash < 0)
        {
            return false;
        }
        segment = blobName[NamePrefix.Length..slash];
        name = blobName[(slash + 1)..];
        return true;
    }

    /// <summary>
    /// True when <paramref name="tier"/> may name a tier: 1 to <see cref="MaxTierNameLength"/>
    /// characters of <c>[A-Za-z0-9_-]</c> starting with a letter or digit, and not one of S3's hot
    /// storage classes (<c>STANDARD</c>, <c>REDUCED_REDUNDANCY</c>, in any case).
    /// </summary>
    public static bool IsValidTierName([NotNullWhen(true)] string? tier) => TierNameProblem(tier) is null;

    /// <summary>
    /// Checks a set of tier names: each valid (<see cref="IsValidTierName"/>), and no two with the same
    /// segment (<c>Cold_1</c> and <c>cold-1</c> would share <c>tiers/cold-1/</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The first problem found, naming the tier.</exception>
    public static void ThrowIfInvalidTierNames(IEnumerable<string> tiers)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tier in tiers)
        {
            ThrowIfInvalidTierName(tier);
            var segment = SegmentOfValid(tier);
            if (!seen.TryAdd(segment, tier))
            {
                throw new ArgumentException(
                    $"Tiers '{seen[segment]}' and '{tier}' would share the blob names under {NamePrefix}{segment}/; give them names that differ other than in case and '_' versus '-'.",
                    nameof(tiers));
            }
        }
    }

    private static void ThrowIfInvalidTierName(string? tier)
    {
        if (TierNameProblem(tier) is { } problem)
        {
            throw new ArgumentException($"'{tier}' is not a valid tier name: {problem}", nameof(tier));
        }
    }

    private static string? TierNameProblem(string? tier)
    {
        if (string.IsNullOrEmpty(tier) || tier.Length > MaxTierNameLength)
        {
            return $"a tier name has 1 to {MaxTierNameLength} characters.";
        }
        if (tier.AsSpan().IndexOfAnyExcept(TierNameChars) >= 0 || tier[0] is '_' or '-')
        {
            return "a tier name is made of letters, digits, '_' and '-', and starts with a letter or digit.";
        }
        if (Array.IndexOf(ReservedSegments, SegmentOfValid(tier)) >= 0)
        {
            return "STANDARD and REDUCED_REDUNDANCY are S3's hot storage classes, not tiers.";
        }
        return null;
    }

    private static string SegmentOfValid(string tier) => tier.ToLowerInvariant().Replace('_', '-');
}
