using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Tests.Routing;

public sealed class S3RequestParserOperationTests
{
    private readonly S3RequestParser _parser = new(baseDomain: null);

    [Theory]
    [InlineData("GET", "versions", S3Operation.ListObjectVersions, null)]
    [InlineData("GET", "versions&prefix=a&key-marker=b", S3Operation.ListObjectVersions, null)]
    [InlineData("GET", "versioning", S3Operation.GetBucketVersioning, null)]
    [InlineData("PUT", "versioning", S3Operation.Unsupported, "PutBucket versioning")]
    [InlineData("GET", "tagging", S3Operation.Unsupported, "GetBucket tagging")]
    [InlineData("GET", "", S3Operation.ListObjects, null)]
    [InlineData("GET", "list-type=2", S3Operation.ListObjectsV2, null)]
    public void Bucket_requests_map_to_their_operation(string method, string query, S3Operation expected, string? unsupportedName)
    {
        // Act
        var request = _parser.Parse(method, "/photos", query, "127.0.0.1:9000", new HeaderDictionary());

        // Assert
        Assert.Equal((expected, unsupportedName), (request.Operation, request.UnsupportedName));
        Assert.Equal("photos", request.Bucket);
    }
}
