namespace Cairn.S3.Auth;

/// <summary>What a verified request proved.</summary>
/// <param name="Principal">Who signed it.</param>
/// <param name="PayloadMode">How the body is covered.</param>
/// <param name="PayloadSha256Hex">The signed lower-case hex SHA-256 of the body, for <see cref="PayloadMode.SignedHex"/>.</param>
/// <param name="ChunkSigning">What <see cref="AwsChunkedStream"/> needs for signed streaming modes; null otherwise.</param>
/// <param name="IsPresigned">True when authenticated by query parameters.</param>
public sealed record AuthResult(
    Principal Principal,
    PayloadMode PayloadMode,
    string? PayloadSha256Hex,
    ChunkSigningContext? ChunkSigning,
    bool IsPresigned)
{
    /// <summary>A request that carried no signature: nobody's, its body covered by nothing.</summary>
    public static readonly AuthResult Anonymous = new(Principal.Anonymous, PayloadMode.Unsigned, null, null, IsPresigned: false);
}
