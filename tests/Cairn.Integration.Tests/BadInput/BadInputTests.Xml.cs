using System.Security.Cryptography;
using System.Text;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>Request documents: not well-formed, or over the 4 MiB cap (S3Limits.MaxXmlBodyBytes).</summary>
public sealed partial class BadInputTests
{
    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_with_malformed_xml_returns_MalformedXML_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync("existing.bin");
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var xml = Encoding.UTF8.GetBytes("<Delete><Object><Key>existing.bin</Key></Object>"); // unclosed root
        var request = WithBody("POST", WireSigner.PathOf(bucket), xml, query: "delete");
        request.Headers["content-md5"] = Convert.ToBase64String(MD5.HashData(xml)); // AWS requires an integrity header here

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "MalformedXML");
        await AssertRefusedUpFrontAsync(before);
        Assert.Equal(200, (await GetAsync(bucket, "existing.bin")).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateBucket_with_malformed_configuration_returns_MalformedXML_and_creates_no_bucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("bad");
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var xml = Encoding.UTF8.GetBytes(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>us-east-1</Location></CreateBucketConfiguration>");

        // Act
        var response = await SendSignedAsync(WithBody("PUT", WireSigner.PathOf(bucket), xml));

        // Assert
        S3ErrorAssert.Error(response, 400, "MalformedXML");
        await AssertRefusedUpFrontAsync(before);
        S3ErrorAssert.Error(await SendSignedAsync(Wire.Request("GET", WireSigner.PathOf(bucket))), 404, "NoSuchBucket");
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteObjects_with_xml_over_4_MiB_returns_MaxMessageLengthExceeded_and_changes_nothing()
    {
        // Arrange: a well-formed document naming the existing key, padded past the cap with whitespace.
        var bucket = await NewBucketWithObjectAsync("existing.bin");
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        const string Head = "<Delete><Object><Key>existing.bin</Key></Object>";
        const string Tail = "</Delete>";
        var xml = Encoding.UTF8.GetBytes(Head + new string(' ', 4 * 1024 * 1024 + 1 - Head.Length - Tail.Length) + Tail);
        Assert.Equal(4 * 1024 * 1024 + 1, xml.Length);
        var request = WithBody("POST", WireSigner.PathOf(bucket), xml, query: "delete");
        request.Headers["content-md5"] = Convert.ToBase64String(MD5.HashData(xml));

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "MaxMessageLengthExceeded");
        await AssertRefusedUpFrontAsync(before);
        Assert.Equal(200, (await GetAsync(bucket, "existing.bin")).Status);
    }
}
