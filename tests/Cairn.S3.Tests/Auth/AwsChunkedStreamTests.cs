using Cairn.S3.Auth;
using Cairn.S3.Errors;

namespace Cairn.S3.Tests.Auth;

public class AwsChunkedStreamTests
{
    private static readonly string[] NoTrailers = [];
    private static readonly string[] Crc32Trailer = ["x-amz-checksum-crc32"];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(1 << 20)]
    public void Aws_example_multiple_chunks_decode_to_the_payload(int readSize)
    {
        using var stream = new AwsChunkedStream(new MemoryStream(AwsChunkedExamples.StreamingBody()), PayloadMode.StreamingSigned,
            ExampleContext(AwsChunkedExamples.SeedSignature), AwsChunkedExamples.PayloadLength, NoTrailers);

        var decoded = ReadAll(stream, readSize);

        Assert.Equal(AwsChunkedExamples.Payload(), decoded);
        Assert.Empty(stream.Trailers);
    }

    [Fact(Timeout = 10_000)]
    public async Task Aws_example_multiple_chunks_decode_asynchronously_from_a_trickling_body()
    {
        using var stream = new AwsChunkedStream(new TrickleStream(AwsChunkedExamples.StreamingBody(), 3), PayloadMode.StreamingSigned,
            ExampleContext(AwsChunkedExamples.SeedSignature), AwsChunkedExamples.PayloadLength, NoTrailers);

        var decoded = await ReadAllAsync(stream, 8192);

        Assert.Equal(AwsChunkedExamples.Payload(), decoded);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Aws_example_with_trailer_decodes_and_exposes_the_checksum(bool separator, bool finalCrlf)
    {
        using var stream = new AwsChunkedStream(new MemoryStream(AwsChunkedExamples.TrailerBody(separator, finalCrlf)),
            PayloadMode.StreamingSignedTrailer, ExampleContext(AwsChunkedExamples.TrailerSeedSignature), AwsChunkedExamples.PayloadLength,
            ["x-amz-checksum-crc32c"]);

        var decoded = ReadAll(stream, 10_000);

        Assert.Equal(AwsChunkedExamples.Payload(), decoded);
        Assert.Equal("sOO8/Q==", stream.Trailers["x-amz-checksum-crc32c"]);
        Assert.Single(stream.Trailers);
    }

    [Fact]
    public void Unsigned_trailer_mode_decodes_chunks_without_signatures()
    {
        var payload = ChunkedBody.Payload(20_000);
        var body = ChunkedBody.Build(payload, [8192, 100, 5000], signed: false, [("x-amz-checksum-crc32", "AAAAAA==")]);
        using var stream = new AwsChunkedStream(new TrickleStream(body, 1000), PayloadMode.StreamingUnsignedTrailer, null, payload.Length, Crc32Trailer);

        var decoded = ReadAll(stream, 3000);

        Assert.Equal(payload, decoded);
        Assert.Equal("AAAAAA==", stream.Trailers["x-amz-checksum-crc32"]);
    }

    [Fact]
    public void Signed_trailer_mode_made_by_the_test_signer_decodes()
    {
        var payload = ChunkedBody.Payload(100_000);
        var body = ChunkedBody.Build(payload, [65536], signed: true, [("x-amz-checksum-crc32", "abcdEF==")], signTrailers: true);
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingSignedTrailer, ChunkedBody.Context(), payload.Length, Crc32Trailer);

        Assert.Equal(payload, ReadAll(stream, 65536));
        Assert.Equal("abcdEF==", stream.Trailers["x-amz-checksum-crc32"]);
    }

    [Fact]
    public void Empty_payload_is_one_final_chunk()
    {
        var body = ChunkedBody.Build([], [], signed: true);
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingSigned, ChunkedBody.Context(), 0, NoTrailers);

        Assert.Empty(ReadAll(stream, 100));
        Assert.Equal(0, stream.Read(new byte[10]));
    }

    [Fact]
    public void Small_last_signed_chunk_is_allowed_but_a_small_middle_one_is_InvalidChunkSizeError()
    {
        var payload = ChunkedBody.Payload(9000);
        var good = ChunkedBody.Build(payload, [8192], signed: true);
        var bad = ChunkedBody.Build(payload, [8191], signed: true);

        using var goodStream = new AwsChunkedStream(new MemoryStream(good), PayloadMode.StreamingSigned, ChunkedBody.Context(), payload.Length, NoTrailers);
        Assert.Equal(payload, ReadAll(goodStream, 4096));

        using var badStream = new AwsChunkedStream(new MemoryStream(bad), PayloadMode.StreamingSigned, ChunkedBody.Context(), payload.Length, NoTrailers);
        Assert.Equal(S3ErrorCode.InvalidChunkSizeError, ReadFails(badStream).Code);
    }

    [Fact]
    public void Authentication_chunk_with_tampered_data_byte_returns_SignatureDoesNotMatch()
    {
        var body = AwsChunkedExamples.StreamingBody();
        body[100] = (byte)'b';

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, ReadFails(Example(body)).Code);
    }

    [Fact]
    public void Authentication_chunk_with_tampered_signature_returns_SignatureDoesNotMatch()
    {
        var body = AwsChunkedExamples.StreamingBody();
        var at = IndexOf(body, AwsChunkedExamples.Chunk2Signature);
        body[at] = body[at] == (byte)'0' ? (byte)'1' : (byte)'0';

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, ReadFails(Example(body)).Code);
    }

    [Fact]
    public void Authentication_final_chunk_with_tampered_signature_returns_SignatureDoesNotMatch()
    {
        var body = AwsChunkedExamples.StreamingBody();
        var at = IndexOf(body, AwsChunkedExamples.FinalChunkSignature) + 10;
        body[at] = body[at] == (byte)'a' ? (byte)'b' : (byte)'a';

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, ReadFails(Example(body)).Code);
    }

    [Fact]
    public void Authentication_chunks_swapped_in_order_return_SignatureDoesNotMatch()
    {
        // Each signature chains on the previous one, so valid chunks replayed out of order fail.
        var payload = ChunkedBody.Payload(3 * 8192);
        var body = ChunkedBody.Build(payload, [8192, 8192, 8192], signed: true);
        var chunkLength = IndexOf(body, "\r\n2000;") + 2;
        var swapped = body[chunkLength..(2 * chunkLength)].Concat(body[..chunkLength]).Concat(body[(2 * chunkLength)..]).ToArray();

        using var stream = new AwsChunkedStream(new MemoryStream(swapped), PayloadMode.StreamingSigned, ChunkedBody.Context(), payload.Length, NoTrailers);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, ReadFails(stream).Code);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(90)]
    [InlineData(50_000)]
    [InlineData(65_624)]
    [InlineData(66_000)]
    [InlineData(66_821)]
    [InlineData(66_822)]
    public void Authentication_truncated_body_returns_IncompleteBody(int length)
    {
        var body = AwsChunkedExamples.StreamingBody()[..length];

        Assert.Equal(S3ErrorCode.IncompleteBody, ReadFails(Example(body)).Code);
    }

    [Theory]
    [InlineData(66_559)]
    [InlineData(66_561)]
    [InlineData(0)]
    public void Authentication_decoded_length_other_than_the_payload_returns_IncompleteBody(long declared)
    {
        using var stream = new AwsChunkedStream(new MemoryStream(AwsChunkedExamples.StreamingBody()), PayloadMode.StreamingSigned,
            ExampleContext(AwsChunkedExamples.SeedSignature), declared, NoTrailers);

        Assert.Equal(S3ErrorCode.IncompleteBody, ReadFails(stream).Code);
    }

    [Fact]
    public void Authentication_trailer_with_bad_signature_returns_SignatureDoesNotMatch()
    {
        var body = AwsChunkedExamples.TrailerBody();
        var at = IndexOf(body, AwsChunkedExamples.TrailerSignature);
        body[at] = body[at] == (byte)'0' ? (byte)'1' : (byte)'0';

        using var stream = TrailerExample(body);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, ReadFails(stream).Code);
    }

    [Fact]
    public void Authentication_trailer_with_altered_value_returns_SignatureDoesNotMatch()
    {
        var body = AwsChunkedExamples.TrailerBody();
        var at = IndexOf(body, "sOO8/Q==");
        body[at] = (byte)'X';

        using var stream = TrailerExample(body);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, ReadFails(stream).Code);
    }

    [Fact]
    public void Authentication_signed_trailer_without_its_signature_returns_MalformedTrailerError()
    {
        var payload = ChunkedBody.Payload(10);
        var body = ChunkedBody.Build(payload, [], signed: true, [("x-amz-checksum-crc32", "AAAAAA==")], signTrailers: false);
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingSignedTrailer, ChunkedBody.Context(), payload.Length, Crc32Trailer);

        Assert.Equal(S3ErrorCode.MalformedTrailerError, ReadFails(stream).Code);
    }

    [Fact]
    public void Authentication_missing_declared_trailer_returns_MalformedTrailerError()
    {
        var payload = ChunkedBody.Payload(10);
        var body = ChunkedBody.Build(payload, [], signed: false);
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingUnsignedTrailer, null, payload.Length, Crc32Trailer);

        Assert.Equal(S3ErrorCode.MalformedTrailerError, ReadFails(stream).Code);
    }

    [Fact]
    public void Authentication_undeclared_trailer_returns_MalformedTrailerError()
    {
        var payload = ChunkedBody.Payload(10);
        var body = ChunkedBody.Build(payload, [], signed: false, [("x-amz-checksum-crc32", "AAAAAA=="), ("x-amz-checksum-sha1", "x")]);
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingUnsignedTrailer, null, payload.Length, Crc32Trailer);

        Assert.Equal(S3ErrorCode.MalformedTrailerError, ReadFails(stream).Code);
    }

    [Theory]
    [InlineData("x-amz-checksum-crc32 AAAAAA==")]
    [InlineData(":AAAAAA==")]
    public void Authentication_unparsable_trailer_returns_MalformedTrailerError(string line)
    {
        var body = System.Text.Encoding.ASCII.GetBytes($"a\r\n0123456789\r\n0\r\n{line}\r\n\r\n");
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingUnsignedTrailer, null, 10, Crc32Trailer);

        Assert.Equal(S3ErrorCode.MalformedTrailerError, ReadFails(stream).Code);
    }

    [Fact]
    public void Authentication_trailer_in_a_mode_without_trailers_returns_MalformedTrailerError()
    {
        var payload = ChunkedBody.Payload(10);
        var body = ChunkedBody.Build(payload, [], signed: true, [("x-amz-checksum-crc32", "AAAAAA==")]);
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingSigned, ChunkedBody.Context(), payload.Length, NoTrailers);

        Assert.Equal(S3ErrorCode.MalformedTrailerError, ReadFails(stream).Code);
    }

    [Theory]
    [InlineData("zz;chunk-signature=00\r\n", S3ErrorCode.IncompleteBody)]
    [InlineData(";chunk-signature=00\r\n", S3ErrorCode.IncompleteBody)]
    [InlineData("a\r\n0123456789\r\n", S3ErrorCode.IncompleteBody)]
    [InlineData("a;chunk-sig=00\r\n0123456789\r\n", S3ErrorCode.IncompleteBody)]
    [InlineData("10000000000000000;chunk-signature=00\r\n", S3ErrorCode.IncompleteBody)]
    [InlineData("a;chunk-signature=\r\n0123456789\r\n", S3ErrorCode.SignatureDoesNotMatch)]
    [InlineData("a;chunk-signature=xyz\r\n0123456789\r\n", S3ErrorCode.SignatureDoesNotMatch)]
    public void Authentication_malformed_signed_chunk_header_is_refused(string start, S3ErrorCode expected)
    {
        var body = System.Text.Encoding.ASCII.GetBytes(start + "0;chunk-signature=" + new string('0', 64) + "\r\n\r\n");
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingSigned, ChunkedBody.Context(), null, NoTrailers);

        Assert.Equal(expected, ReadFails(stream).Code);
    }

    [Fact]
    public void Authentication_chunk_data_not_followed_by_crlf_returns_IncompleteBody()
    {
        var body = System.Text.Encoding.ASCII.GetBytes("a\r\n0123456789XX0\r\n\r\n");
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingUnsignedTrailer, null, 10, NoTrailers);

        Assert.Equal(S3ErrorCode.IncompleteBody, ReadFails(stream).Code);
    }

    [Fact]
    public void Authentication_data_after_the_final_chunk_returns_IncompleteBody()
    {
        var body = AwsChunkedExamples.StreamingBody().Concat("garbage"u8.ToArray()).ToArray();

        Assert.Equal(S3ErrorCode.IncompleteBody, ReadFails(Example(body)).Code);
    }

    [Fact]
    public void Authentication_endless_chunk_header_returns_IncompleteBody_without_buffering_it()
    {
        var body = Enumerable.Repeat((byte)'1', 100_000).ToArray();
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingUnsignedTrailer, null, null, NoTrailers);

        Assert.Equal(S3ErrorCode.IncompleteBody, ReadFails(stream).Code);
    }

    [Fact]
    public void Huge_declared_chunk_streams_through_and_ends_in_IncompleteBody_when_the_body_stops()
    {
        // A 4 GiB chunk is declared; 1 MiB arrives. Nothing is buffered beyond the pooled read buffer.
        var body = System.Text.Encoding.ASCII.GetBytes("100000000\r\n").Concat(new byte[1 << 20]).ToArray();
        using var stream = new AwsChunkedStream(new MemoryStream(body), PayloadMode.StreamingUnsignedTrailer, null, null, NoTrailers);
        var buffer = new byte[64 * 1024];
        long total = 0;

        var error = Assert.Throws<S3Exception>(() =>
        {
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                total += read;
            }
        });

        Assert.Equal(S3ErrorCode.IncompleteBody, error.Code);
        Assert.Equal(1 << 20, total);
    }

    [Fact(Timeout = 10_000)]
    public async Task Authentication_tampered_chunk_is_refused_by_async_reads_too()
    {
        var body = AwsChunkedExamples.StreamingBody();
        body[66_000] = (byte)'b'; // inside the second chunk's data
        using var stream = Example(body);

        var error = await Assert.ThrowsAsync<S3Exception>(() => ReadAllAsync(stream, 100_000));

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Fact]
    public void Trailers_are_empty_until_the_end_is_read()
    {
        using var stream = TrailerExample(AwsChunkedExamples.TrailerBody());
        stream.ReadExactly(new byte[100]);

        Assert.Empty(stream.Trailers);
    }

    private static ChunkSigningContext ExampleContext(string seed) =>
        new(ChunkedBody.SigningKey, ChunkedBody.AmzDate, ChunkedBody.Scope, Convert.FromHexString(seed));

    private static AwsChunkedStream Example(byte[] body) =>
        new(new MemoryStream(body), PayloadMode.StreamingSigned, ExampleContext(AwsChunkedExamples.SeedSignature),
            AwsChunkedExamples.PayloadLength, NoTrailers);

    private static AwsChunkedStream TrailerExample(byte[] body) =>
        new(new MemoryStream(body), PayloadMode.StreamingSignedTrailer, ExampleContext(AwsChunkedExamples.TrailerSeedSignature),
            AwsChunkedExamples.PayloadLength, ["x-amz-checksum-crc32c"]);

    private static S3Exception ReadFails(Stream stream) => Assert.Throws<S3Exception>(() => ReadAll(stream, 8192));

    private static byte[] ReadAll(Stream stream, int readSize)
    {
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            output.Write(buffer, 0, read);
        }
        return output.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, int readSize)
    {
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }
        return output.ToArray();
    }

    private static int IndexOf(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(needle));
}
