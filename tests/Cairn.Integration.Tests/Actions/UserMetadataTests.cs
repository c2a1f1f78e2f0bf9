using System.Text;
using System.Text.RegularExpressions;
using Amazon.S3;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// User metadata with non-ASCII values (issue 10): stored with the characters the client sent, as
/// UTF-8 or Latin-1 bytes, and returned on GET and HEAD RFC 2047 encoded, as S3 documents, so HTTP
/// clients (which read header bytes as Latin-1) get ASCII that decodes to the exact text. The AWS
/// SDK for .NET refuses non-ASCII header values itself, so the uploads go over the wire by hand, as
/// curl, Go or a browser (UTF-8) and Python or Node (Latin-1) send them; the SDK reads them back.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "10")]
public sealed partial class UserMetadataTests(ServerFixture fixture) : IDisposable
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;
    private readonly WireClient _wire = new(fixture.Server.Endpoint);
    private readonly WireSigner _signer = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    public void Dispose() => _wire.Dispose();

    [Theory(Timeout = 30_000)]
    [InlineData("utf-8", "h\u00e9llo w\u00f6rld \u2713 \U0001F600")]
    [InlineData("utf-8", "\u00c4M\u00c4Z\u00d5\u00d1 S3")]
    [InlineData("iso-8859-1", "caf\u00e9 cr\u00e8me")]
    public async Task A_non_ASCII_value_comes_back_on_HEAD_and_GET_as_an_RFC_2047_word_of_the_same_text(string wireEncoding, string value)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = _wire.Request("PUT", WireSigner.PathOf(bucket, "k"));
        put.Body = [1, 2, 3];
        put.Headers["x-amz-meta-note"] = value;
        put.Headers["x-amz-meta-plain"] = "ascii stays as is";
        put.HeaderEncoding = Encoding.GetEncoding(wireEncoding);
        _signer.SignHeaders(put, DateTimeOffset.UtcNow, WireSigner.Sha256Hex(put.Body));

        // Act
        var stored = await _wire.SendAsync(put);
        var head = await _s3.GetObjectMetadataAsync(bucket, "k");
        using var get = await _s3.GetObjectAsync(bucket, "k");

        // Assert
        Assert.True(stored.Status == 200, stored.ToString());
        Assert.Equal(value, DecodeWord(head.Metadata["x-amz-meta-note"]));
        Assert.Equal(value, DecodeWord(get.Metadata["x-amz-meta-note"]));
        Assert.Equal("=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=", head.Metadata["x-amz-meta-note"]);
        Assert.Equal("ascii stays as is", head.Metadata["x-amz-meta-plain"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_response_header_bytes_are_ASCII()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = _wire.Request("PUT", WireSigner.PathOf(bucket, "k"));
        put.Headers["x-amz-meta-note"] = "\u2713";
        put.HeaderEncoding = Encoding.UTF8;
        _signer.SignHeaders(put, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));
        Assert.Equal(200, (await _wire.SendAsync(put)).Status);
        var head = _wire.Request("HEAD", WireSigner.PathOf(bucket, "k"));
        _signer.SignHeaders(head, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));

        // Act
        var response = await _wire.SendAsync(head);

        // Assert: HttpClient reads header bytes as Latin-1, so raw UTF-8 would show as "â\u009c\u0093".
        Assert.Equal("=?UTF-8?B?4pyT?=", response.Header("x-amz-meta-note"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_value_the_client_encoded_itself_round_trips_unchanged()
    {
        // Arrange: what a client that cannot send non-ASCII does (boto3 refuses it; so does this SDK
        // unless told to percent-encode): it sends ASCII and decodes what comes back.
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBytesAsync(bucket, "k", [1], static r =>
        {
            r.Metadata["rfc2047"] = "=?UTF-8?B?aMOpbGxvIOKckw==?=";
            r.Metadata["percent"] = "h%C3%A9llo%20%E2%9C%93";
        });

        // Act
        var head = await _s3.GetObjectMetadataAsync(bucket, "k");

        // Assert
        Assert.Equal("=?UTF-8?B?aMOpbGxvIOKckw==?=", head.Metadata["x-amz-meta-rfc2047"]);
        Assert.Equal("h\u00e9llo \u2713", DecodeWord(head.Metadata["x-amz-meta-rfc2047"]));
        Assert.Equal("h%C3%A9llo%20%E2%9C%93", head.Metadata["x-amz-meta-percent"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_copy_keeps_the_text_and_returns_it_encoded_the_same_way()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = _wire.Request("PUT", WireSigner.PathOf(bucket, "source"));
        put.Headers["x-amz-meta-note"] = "\u65e5\u672c\u8a9e";
        put.HeaderEncoding = Encoding.UTF8;
        _signer.SignHeaders(put, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));
        Assert.Equal(200, (await _wire.SendAsync(put)).Status);

        // Act
        await _s3.CopyObjectAsync(bucket, "source", bucket, "copy");
        var head = await _s3.GetObjectMetadataAsync(bucket, "copy");

        // Assert
        Assert.Equal("\u65e5\u672c\u8a9e", DecodeWord(head.Metadata["x-amz-meta-note"]));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_2_KB_limit_counts_the_UTF_8_bytes_of_the_text_not_its_encoded_form()
    {
        // Arrange: 1,000 two-byte characters are 2,000 bytes (and about 2,700 once encoded on the way out).
        var bucket = await _s3.NewBucketAsync();
        var value = new string('\u00e9', 1000);
        var put = _wire.Request("PUT", WireSigner.PathOf(bucket, "k"));
        put.Headers["x-amz-meta-k"] = value;
        put.HeaderEncoding = Encoding.UTF8;
        _signer.SignHeaders(put, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));

        // Act
        var response = await _wire.SendAsync(put);

        // Assert
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal(value, DecodeWord((await _s3.GetObjectMetadataAsync(bucket, "k")).Metadata["x-amz-meta-k"]));
    }

    /// <summary>Decodes one RFC 2047 B-encoded UTF-8 word; anything else is returned as it is.</summary>
    private static string DecodeWord(string value)
    {
        var match = EncodedWord().Match(value);
        return match.Success ? Encoding.UTF8.GetString(Convert.FromBase64String(match.Groups[1].Value)) : value;
    }

    [GeneratedRegex("^=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=$", RegexOptions.IgnoreCase)]
    private static partial Regex EncodedWord();
}
