using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// What <see cref="CarVerifier"/> found in an exported bucket CAR (the whole bucket, or with a
/// prefix the range of keys starting with it): the commit it is rooted at, what the commit's tree
/// holds, and every problem (none when the export is valid).
/// </summary>
/// <remarks>
/// The counts are of what the checks reached; when they stopped early (an unreadable CAR, no
/// commit to follow, or too many errors) they are partial.
/// </remarks>
/// <param name="Commit">The header's root, the bucket commit; null when the CAR cannot be read.</param>
/// <param name="Bucket">The commit's bucket; null when the commit is missing or does not decode.</param>
/// <param name="Seq">The commit's journal number; null when the commit is missing or does not decode.</param>
/// <param name="Root">The commit's <c>data</c>, the tree's root node; null when the commit is missing or does not decode.</param>
/// <param name="Keys">Tree entries walked (object keys, delete markers included); with a prefix, those in its range.</param>
/// <param name="Nodes">Distinct MST nodes read and decoded (with a prefix, those the file holds: the range's and any others).</param>
/// <param name="Manifests">Distinct object manifests reached: the tree's values and their previous chains (with a prefix, the range's and any others the file holds).</param>
/// <param name="Chunks">Distinct body chunks the manifests name that the CAR holds.</param>
/// <param name="Blocks">Distinct blocks in the CAR (a block written twice counts once).</param>
/// <param name="Bytes">Bytes of those distinct chunks' data.</param>
/// <param name="Errors">Each problem, naming what and where (key, CID); empty when the export is valid.</param>
/// <param name="Prefix">The prefix whose range was verified; null when the file was verified as the whole bucket's export.</param>
public sealed record CarVerification(
    Cid? Commit,
    string? Bucket,
    long? Seq,
    Cid? Root,
    int Keys,
    int Nodes,
    int Manifests,
    int Chunks,
    int Blocks,
    long Bytes,
    IReadOnlyList<string> Errors,
    string? Prefix = null)
{
    /// <summary>
    /// True when no check failed: the CAR is exactly the export of <see cref="Commit"/> (with a
    /// <see cref="Prefix"/>, of its range: what the range needs is there and sound, nothing is extra).
    /// </summary>
    public bool IsValid => Errors.Count == 0;
}
