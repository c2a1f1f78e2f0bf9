using Cairn.Core;

namespace Cairn.Mst;

/// <summary>The outcome of checking (or walking) a key's path under a root.</summary>
/// <param name="Status">Present, absent, or invalid.</param>
/// <param name="Value">The key's value CID when present.</param>
/// <param name="Error">Why the proof is invalid.</param>
public readonly record struct MstProofResult(MstProofStatus Status, Cid? Value, string? Error)
{
    internal static MstProofResult Invalid(string error) => new(MstProofStatus.Invalid, null, error);

    internal static MstProofResult Absent() => new(MstProofStatus.Absent, null, null);

    internal static MstProofResult Present(Cid value) => new(MstProofStatus.Present, value, null);
}
