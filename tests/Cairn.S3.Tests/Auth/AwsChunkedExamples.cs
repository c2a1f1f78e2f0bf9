using System.Text;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Tests.Auth;

/// <summary>
/// The chunked-upload examples from AWS's "Transferring Payload in Multiple Chunks" and "Signature
/// calculations for trailing headers" pages: a 66560-byte object of 'a', 64 KiB chunks.
/// </summary>
internal static class AwsChunkedExamples
{
    public const string SeedSignature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    public const string Chunk1Signature = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    public const string Chunk2Signature = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    public const string FinalChunkSignature = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

    public const string TrailerSeedSignature = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
    public const string TrailerChunk1Signature = "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2";
    public const string TrailerChunk2Signature = "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7";
    public const string TrailerFinalChunkSignature = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992";
    public const string TrailerSignature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

    public const int PayloadLength = 66560;

    public static byte[] Payload() => Enumerable.Repeat((byte)'a', PayloadLength).ToArray();

    public static HeaderDictionary StreamingHeaders() => new()
    {
        ["Host"] = "s3.amazonaws.com",
        ["x-amz-date"] = "20130524T000000Z",
        ["x-amz-storage-class"] = "REDUCED_REDUNDANCY",
        ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"
            + "Signature=" + SeedSignature,
        ["x-amz-content-sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        ["Content-Encoding"] = "aws-chunked",
        ["x-amz-decoded-content-length"] = "66560",
        ["Content-Length"] = "66824",
    };

    public static HeaderDictionary TrailerHeaders() => new()
    {
        ["Host"] = "s3.amazonaws.com",
        ["x-amz-date"] = "20130524T000000Z",
        ["x-amz-storage-class"] = "REDUCED_REDUNDANCY",
        ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,"
            + "Signature=" + TrailerSeedSignature,
        ["x-amz-content-sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        ["Content-Encoding"] = "aws-chunked",
        ["x-amz-decoded-content-length"] = "66560",
        ["x-amz-trailer"] = "x-amz-checksum-crc32c",
    };

    /// <summary>The body of the multiple-chunks example, 66824 bytes.</summary>
    public static byte[] StreamingBody()
    {
        var body = new MemoryStream();
        Write(body, $"10000;chunk-signature={Chunk1Signature}\r\n");
        body.Write(Payload(), 0, 65536);
        Write(body, $"\r\n400;chunk-signature={Chunk2Signature}\r\n");
        body.Write(Payload(), 0, 1024);
        Write(body, $"\r\n0;chunk-signature={FinalChunkSignature}\r\n\r\n");
        return body.ToArray();
    }

    /// <summary>
    /// The body of the trailer example. <paramref name="separator"/> puts the empty line AWS's page shows
    /// between the final chunk and the trailers; SDKs send none.
    /// </summary>
    public static byte[] TrailerBody(bool separator = false, bool finalCrlf = true)
    {
        var body = new MemoryStream();
        Write(body, $"10000;chunk-signature={TrailerChunk1Signature}\r\n");
        body.Write(Payload(), 0, 65536);
        Write(body, $"\r\n400;chunk-signature={TrailerChunk2Signature}\r\n");
        body.Write(Payload(), 0, 1024);
        Write(body, $"\r\n0;chunk-signature={TrailerFinalChunkSignature}\r\n");
        if (separator)
        {
            Write(body, "\r\n");
        }
        Write(body, "x-amz-checksum-crc32c:sOO8/Q==\r\n");
        Write(body, $"x-amz-trailer-signature:{TrailerSignature}\r\n");
        if (finalCrlf)
        {
            Write(body, "\r\n");
        }
        return body.ToArray();
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));
}
