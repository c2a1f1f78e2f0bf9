using Cairn.S3.Errors;
using Cairn.S3.Handlers;
using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Tests.Handlers;

[Trait("Issue", "10")]
public sealed class RefusedRequestHeadersTests
{
    /// <summary>
    /// Values a client would send for each listed header. A header added to the list without a
    /// sample here fails <see cref="Every_listed_header_has_a_sample_value"/>, so the enumeration
    /// below always covers the whole list.
    /// </summary>
    internal static readonly Dictionary<string, string[]> Samples = new(StringComparer.Ordinal)
    {
        ["x-amz-server-side-encryption"] = ["aws:kms", "aws:kms:dsse"],
        ["x-amz-server-side-encryption-aws-kms-key-id"] = ["arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
        ["x-amz-server-side-encryption-context"] = ["eyJwcm9qZWN0IjoiY2Fpcm4ifQ=="],
        ["x-amz-server-side-encryption-bucket-key-enabled"] = ["true"],
        ["x-amz-write-offset-bytes"] = ["0"],
        ["x-amz-checksum-algorithm"] = ["CRC32"],
        ["x-amz-website-redirect-location"] = ["/elsewhere.html"],
        ["x-amz-storage-class"] = ["GLACIER", "REDUCED_REDUNDANCY"],
        ["x-amz-acl"] = ["public-read", "authenticated-read"],
        ["x-amz-grant-full-control"] = ["id=\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\""],
        ["x-amz-grant-read"] = ["uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""],
        ["x-amz-grant-read-acp"] = ["emailAddress=\"someone@example.com\""],
        ["x-amz-grant-write-acp"] = ["id=\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\""],
    };

    private static readonly S3Operation[] DataOperations =
    [
        S3Operation.PutObject, S3Operation.PostObject, S3Operation.CopyObject, S3Operation.CreateMultipartUpload, S3Operation.UploadPart,
        S3Operation.UploadPartCopy, S3Operation.GetObject, S3Operation.HeadObject,
    ];

    /// <summary>Every (header, value, operation) the list refuses: the whole list, on each operation each header applies to.</summary>
    public static TheoryData<string, string, S3Operation> Refusals()
    {
        var data = new TheoryData<string, string, S3Operation>();
        foreach (var header in RefusedRequestHeaders.All)
        {
            foreach (var value in Samples.GetValueOrDefault(header.Name, []))
            {
                foreach (var operation in header.Operations)
                {
                    data.Add(header.Name, value, operation);
                }
            }
        }
        return data;
    }

    [Fact]
    public void Every_listed_header_has_a_sample_value()
    {
        Assert.Empty(RefusedRequestHeaders.All.Select(static h => h.Name).Except(Samples.Keys));
        Assert.Empty(Samples.Keys.Except(RefusedRequestHeaders.All.Select(static h => h.Name)));
    }

    [Fact]
    public void Each_header_is_listed_once_in_lower_case_for_data_operations_only()
    {
        var names = RefusedRequestHeaders.All.Select(static h => h.Name).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(RefusedRequestHeaders.All, static header =>
        {
            Assert.StartsWith("x-amz-", header.Name, StringComparison.Ordinal);
            Assert.Equal(header.Name.ToLowerInvariant(), header.Name);
            Assert.NotEmpty(header.Operations);
            Assert.All(header.Operations, static operation => Assert.Contains(operation, DataOperations));
        });
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_listed_header_is_refused_on_each_operation_it_applies_to(string name, string value, S3Operation operation)
    {
        var headers = Headers((name, value));

        var error = Assert.Throws<S3Exception>(() => RefusedRequestHeaders.ThrowIfAnyRefused(operation, headers));

        var expected = name.StartsWith("x-amz-acl", StringComparison.Ordinal) || name.StartsWith("x-amz-grant-", StringComparison.Ordinal)
            ? S3ErrorCode.AccessControlListNotSupported
            : S3ErrorCode.NotImplemented;
        Assert.Equal(expected, error.Code);
        if (expected == S3ErrorCode.NotImplemented)
        {
            Assert.Equal(501, error.StatusCode);
            Assert.Equal("A header you provided implies functionality that is not implemented", error.Message);
            Assert.Equal([new("Header", name)], error.Details);
        }
        else
        {
            Assert.Equal((400, "The bucket does not allow ACLs"), (error.StatusCode, error.Message));
        }
    }

    [Theory]
    [InlineData("X-Amz-Server-Side-Encryption", "aws:kms")]
    [InlineData("X-AMZ-WRITE-OFFSET-BYTES", "0")]
    public void Header_names_match_in_any_case(string name, string value)
    {
        Assert.Throws<S3Exception>(() => RefusedRequestHeaders.ThrowIfAnyRefused(S3Operation.PutObject, Headers((name, value))));
    }

    [Theory]
    [InlineData(S3Operation.PutObject)]
    [InlineData(S3Operation.CopyObject)]
    [InlineData(S3Operation.CreateMultipartUpload)]
    public void Tags_are_served_on_PutObject_CopyObject_and_CreateMultipartUpload(S3Operation served)
    {
        RefusedRequestHeaders.ThrowIfAnyRefused(served, Headers(("x-amz-tagging", "a=b")));
    }

    [Theory]
    [InlineData("x-amz-acl", "private")]
    [InlineData("x-amz-acl", "bucket-owner-full-control")]
    [InlineData("x-amz-storage-class", "STANDARD")]
    [InlineData("x-amz-server-side-encryption-bucket-key-enabled", "false")]
    [InlineData("x-amz-server-side-encryption", "")]
    [InlineData("x-amz-server-side-encryption", "AES256")]
    [InlineData("x-amz-server-side-encryption-customer-algorithm", "AES256")]
    [InlineData("x-amz-copy-source-server-side-encryption-customer-algorithm", "AES256")]
    [InlineData("x-amz-request-payer", "requester")]
    [InlineData("x-amz-expected-bucket-owner", "111122223333")]
    [InlineData("x-amz-source-expected-bucket-owner", "111122223333")]
    [InlineData("x-amz-tagging-directive", "COPY")]
    [InlineData("x-amz-metadata-directive", "REPLACE")]
    [InlineData("x-amz-checksum-crc32", "AAAAAA==")]
    [InlineData("x-amz-meta-server-side-encryption", "AES256")]
    public void Values_that_ask_for_what_Cairn_does_and_headers_Cairn_honours_are_served(string name, string value)
    {
        foreach (var operation in DataOperations)
        {
            RefusedRequestHeaders.ThrowIfAnyRefused(operation, Headers((name, value)));
        }
    }

    [Theory]
    [InlineData("x-amz-server-side-encryption", S3Operation.GetObject)]
    [InlineData("x-amz-server-side-encryption", S3Operation.UploadPart)]
    [InlineData("x-amz-write-offset-bytes", S3Operation.CopyObject)]
    [InlineData("x-amz-checksum-algorithm", S3Operation.CreateMultipartUpload)]
    [InlineData("x-amz-server-side-encryption-customer-algorithm", S3Operation.ListObjectsV2)]
    public void A_header_on_an_operation_that_does_not_document_it_is_left_alone(string name, S3Operation operation)
    {
        RefusedRequestHeaders.ThrowIfAnyRefused(operation, Headers((name, "AES256")));
    }

    [Fact]
    public void An_unknown_encryption_method_is_InvalidArgument_as_in_S3()
    {
        var error = Assert.Throws<S3Exception>(() =>
            RefusedRequestHeaders.ThrowIfAnyRefused(S3Operation.PutObject, Headers(("x-amz-server-side-encryption", "AES128"))));

        Assert.Equal((S3ErrorCode.InvalidArgument, "The encryption method specified is not supported"), (error.Code, error.Message));
        Assert.Equal([new("ArgumentName", "x-amz-server-side-encryption"), new("ArgumentValue", "AES128")], error.Details);
    }

    [Fact]
    public void An_unknown_storage_class_is_InvalidStorageClass_as_in_S3()
    {
        var error = Assert.Throws<S3Exception>(() =>
            RefusedRequestHeaders.ThrowIfAnyRefused(S3Operation.CopyObject, Headers(("x-amz-storage-class", "standard"))));

        Assert.Equal((S3ErrorCode.InvalidStorageClass, 400), (error.Code, error.StatusCode));
        Assert.Equal([new("StorageClassRequested", "standard")], error.Details);
    }

    [Theory]
    [InlineData("x-amz-object-lock-mode", "GOVERNANCE")]
    [InlineData("x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z")]
    [InlineData("x-amz-object-lock-legal-hold", "ON")]
    public void Object_lock_headers_are_served_now_and_not_refused(string name, string value)
    {
        Assert.DoesNotContain(RefusedRequestHeaders.All, header => header.Name == name);
        RefusedRequestHeaders.ThrowIfAnyRefused(S3Operation.PutObject, Headers((name, value)));
    }

    private static HeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary { ["Host"] = "localhost", ["x-amz-date"] = "20260101T000000Z", ["Content-Length"] = "3" };
        foreach (var (name, value) in headers)
        {
            dictionary[name] = value;
        }
        return dictionary;
    }
}
