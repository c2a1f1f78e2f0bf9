using Cairn.Core;

namespace Cairn.Engine.Chunks;

/// <summary>What checking a stored body against the client's claims found.</summary>
public enum BodyVerdictKind
{
    Valid,
    /// <summary>The body's length differs from the declared length.</summary>
    IncompleteBody,
    /// <summary>Content-MD5 does not match.</summary>
    BadDigest,
    /// <summary>A claimed checksum does not match.</summary>
    ChecksumMismatch,
}

/// <summary>A <see cref="BodyVerdictKind"/>, with the algorithm for a checksum mismatch.</summary>
public readonly record struct BodyVerdict(BodyVerdictKind Kind, ChecksumAlgorithm? MismatchedChecksum = null);
