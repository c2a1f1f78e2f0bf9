namespace Cairn.Mst;

/// <summary>What a proof shows about a key under a root.</summary>
public enum MstProofStatus
{
    /// <summary>The proof does not check against the root: a block is missing, altered or malformed.</summary>
    Invalid,

    /// <summary>The key is in the tree, with <see cref="MstProofResult.Value"/>.</summary>
    Present,

    /// <summary>The key is not in the tree.</summary>
    Absent,
}
