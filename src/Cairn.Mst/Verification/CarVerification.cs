using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// What <see cref="CarVerifier.VerifyAsync"/> found in an exported bucket CAR: the commit it is
/// rooted at, what the commit's tree holds, and every problem (none when the export is valid).
/// </summary>
/// <remarks>
/// The counts are of what the checks reached; when they stopped early (an unreadable CAR, no
/// commit to follow, or too many errors) they are partial.
/// </remarks>
/// <param name="Commit">The header's root, the bucket commit; null when the CAR cannot be read.</param>
/// <param name="Bucket">The commit's bucket; null when the commit is missing or does not decode.</param>
/// <param name="Seq">The commit's journal number; null when the commit is missing or does not decode.</param>
/// <param name="Root">The commit's <c>data</c>, the tree's root node; null when the commit is missing or does not decode.</param>
/// <param name="Keys">Tree entries walked (object keys, delete markers included).</param>
/// <param name="Nodes">Distinct MST nodes read and decoded.</param>
/// <param name="Manifests">Distinct object manifests reached: the tree's values and their previous chains.</param>
/// <param name="Chunks">Distinct body chunks the manifests name that the CAR holds.</param>
/// <param name="Blocks">Distinct blocks in the CAR (a block written twice counts once).</param>
/// <param name="Bytes">Bytes of those distinct chunks' data.</param>
/// <param name="Errors">Each problem, naming what and where (key, CID); empty when the export is valid.</param>
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
    IReadOnlyList<string> Errors)
{
    /// <summary>True when no check failed: the CAR is exactly the export of <see cref="Commit"/>.</summary>
    public bool IsValid => Errors.Count == 0;
}
