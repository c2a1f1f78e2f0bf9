using Amazon.S3.Model;
using Cairn.S3.Handlers;
using Cairn.S3.Routing;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// Never accept and ignore (issue 10): every header on <see cref="RefusedRequestHeaders.All"/> is
/// sent, alone, on each operation it applies to, and each request is refused before anything is
/// written: no object, no chunk, no blob, no upload, no part.
/// </summary>
public sealed partial class BadInputTests
{
    private const string RefusedKey = "refused";

    /// <summary>
    /// A value a client would send for each listed header (the same as Cairn.S3.Tests'
    /// RefusedRequestHeadersTests). A header added to the list without one fails
    /// <see cref="Every_refused_header_has_a_sample_to_send"/>.
    /// </summary>
    private static readonly Dictionary<string, string> RefusedHeaderSamples = new(StringComparer.Ordinal)
    {
        ["x-amz-server-side-encryption"] = "aws:kms",
        ["x-amz-server-side-encryption-aws-kms-key-id"] = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ["x-amz-server-side-encryption-context"] = "eyJwcm9qZWN0IjoiY2Fpcm4ifQ==",
        ["x-amz-server-side-encryption-bucket-key-enabled"] = "true",
        ["x-amz-write-offset-bytes"] = "0",
        ["x-amz-checksum-algorithm"] = "CRC32",
        ["x-amz-website-redirect-location"] = "/elsewhere.html",
        ["x-amz-storage-class"] = "GLACIER",
        ["x-amz-acl"] = "public-read",
        ["x-amz-grant-full-control"] = "id=\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\"",
        ["x-amz-grant-read"] = "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
        ["x-amz-grant-read-acp"] = "emailAddress=\"someone@example.com\"",
        ["x-amz-grant-write-acp"] = "id=\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\"",
    };

    /// <summary>Each listed header on each operation it applies to.</summary>
    public static TheoryData<string, S3Operation> RefusedHeaderCases()
    {
        var data = new TheoryData<string, S3Operation>();
        foreach (var header in RefusedRequestHeaders.All)
        {
            foreach (var operation in header.Operations)
            {
                data.Add(header.Name, operation);
            }
        }
        return data;
    }

    [Fact]
    public void Every_refused_header_has_a_sample_to_send()
    {
        Assert.Equal(RefusedRequestHeaders.All.Select(static h => h.Name).Order(StringComparer.Ordinal),
            RefusedHeaderSamples.Keys.Order(StringComparer.Ordinal));
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [MemberData(nameof(RefusedHeaderCases))]
    public async Task A_refused_header_is_answered_with_S3s_error_and_nothing_is_written(string header, S3Operation operation)
    {
        // Arrange: a source object for copies and reads, and an upload for the part operations.
        var bucket = await NewBucketAsync();
        var source = Bytes(3000, seed: 7);
        await PutAsync(bucket, "source.bin", source);
        var uploadId = operation is S3Operation.UploadPart or S3Operation.UploadPartCopy
            ? (await Server.Client.InitiateMultipartUploadAsync(bucket, RefusedKey)).UploadId
            : null;
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        WireResponse response;
        if (operation == S3Operation.PostObject)
        {
            // A browser upload carries it as a form field (signed by the form's policy, as every field is).
            var form = Wire.Request("POST", WireSigner.PathOf(bucket));
            form.Headers["host"] = Wire.Host;
            (form.Headers["content-type"], form.Body) = Signer.PostForm(bucket, RefusedKey, "refused", Now, [(header, RefusedHeaderSamples[header])]);

            // Act
            response = await Wire.SendAsync(form);
        }
        else
        {
            var request = RequestFor(operation, bucket, uploadId);
            request.Headers[header] = RefusedHeaderSamples[header];

            // Act
            response = await SendSignedAsync(request, payloadHash: WireSigner.UnsignedPayload);
        }

        // Assert
        var acl = header is "x-amz-acl" || header.StartsWith("x-amz-grant-", StringComparison.Ordinal);
        var (status, code) = acl ? (400, "AccessControlListNotSupported") : (501, "NotImplemented");
        if (operation == S3Operation.HeadObject)
        {
            Assert.True(status == response.Status, response.ToString()); // a HEAD answer has no body
        }
        else
        {
            var error = S3ErrorAssert.Error(response, status, code);
            Assert.Equal(acl ? null : header, error.Element("Header")?.Value);
        }
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, RefusedKey);
        Assert.Equal(source, (await GetAsync(bucket, "source.bin")).Body);
        var uploads = await Server.Client.ListMultipartUploadsAsync(bucket);
        Assert.Equal(uploadId is null ? [] : [uploadId], (uploads.MultipartUploads ?? []).Select(static u => u.UploadId));
        if (uploadId is not null)
        {
            var parts = await Server.Client.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = RefusedKey, UploadId = uploadId });
            Assert.Empty(parts.Parts ?? []);
        }
    }

    /// <summary>A valid request for <paramref name="operation"/> (unsigned, without the header under test).</summary>
    private WireRequest RequestFor(S3Operation operation, string bucket, string? uploadId)
    {
        var key = WireSigner.PathOf(bucket, RefusedKey);
        var copySource = "/" + bucket + "/source.bin";
        var part = $"partNumber=1&uploadId={WireSigner.UriEncode(uploadId ?? "", keepSlash: false)}";
        switch (operation)
        {
            case S3Operation.PutObject:
                return WithBody("PUT", key, Bytes(2000, seed: 8));
            case S3Operation.CopyObject:
                var copy = Wire.Request("PUT", key);
                copy.Headers["x-amz-copy-source"] = copySource;
                return copy;
            case S3Operation.CreateMultipartUpload:
                return Wire.Request("POST", key, "uploads=");
            case S3Operation.UploadPart:
                return WithBody("PUT", key, Bytes(2000, seed: 9), part);
            case S3Operation.UploadPartCopy:
                var partCopy = Wire.Request("PUT", key, part);
                partCopy.Headers["x-amz-copy-source"] = copySource;
                return partCopy;
            case S3Operation.GetObject:
                return Wire.Request("GET", WireSigner.PathOf(bucket, "source.bin"));
            case S3Operation.HeadObject:
                return Wire.Request("HEAD", WireSigner.PathOf(bucket, "source.bin"));
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "not an operation the list covers");
        }
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [InlineData("x-amz-acl", "private")]
    [InlineData("x-amz-acl", "bucket-owner-full-control")]
    [InlineData("x-amz-storage-class", "STANDARD")]
    [InlineData("x-amz-server-side-encryption-bucket-key-enabled", "false")]
    [InlineData("x-amz-request-payer", "requester")]
    [InlineData("x-amz-expected-bucket-owner", "111122223333")]
    public async Task A_header_value_that_asks_for_what_Cairn_does_is_served(string header, string value)
    {
        // Arrange
        var bucket = await NewBucketAsync();
        var body = Bytes(2000, seed: 10);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body);
        request.Headers[header] = value;

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal(body, (await GetAsync(bucket, "k")).Body);
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [InlineData("x-amz-server-side-encryption", "AES128", "InvalidArgument")]
    [InlineData("x-amz-storage-class", "COLD", "InvalidStorageClass")]
    public async Task A_value_S3_does_not_know_is_bad_input_and_changes_nothing(string header, string value, string code)
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(2000, seed: 11));
        request.Headers[header] = value;

        // Act
        var response = await SendSignedAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 400, code);
        Assert.Contains(value, error.Elements().Select(static e => e.Value));
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task KMS_encryption_sent_in_a_presigned_query_is_refused_like_the_header()
    {
        // Arrange: presigners may move x-amz-* headers into the signed query.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(2000, seed: 12),
            "x-amz-server-side-encryption=aws%3Akms");
        Signer.Presign(request, Now, expiresSeconds: 300);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 501, "NotImplemented");
        Assert.Equal("x-amz-server-side-encryption", error.Element("Header")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }
}
