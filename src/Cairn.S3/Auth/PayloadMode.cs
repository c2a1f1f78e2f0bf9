namespace Cairn.S3.Auth;

/// <summary>How the body is covered by the signature (the value of <c>x-amz-content-sha256</c>).</summary>
public enum PayloadMode
{
    /// <summary>A hex SHA-256 of the body was signed; the caller must check the body against it.</summary>
    SignedHex,
    /// <summary><c>UNSIGNED-PAYLOAD</c> (and presigned URLs without X-Amz-Content-Sha256).</summary>
    Unsigned,
    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>: aws-chunked, each chunk signed.</summary>
    StreamingSigned,
    /// <summary><c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>: aws-chunked, unsigned chunks, trailing checksum.</summary>
    StreamingUnsignedTrailer,
    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>: signed chunks and a signed trailer.</summary>
    StreamingSignedTrailer,
}
