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
    [InlineData("PUT", "versioning", S3Operation.PutBucketVersioning, null)]
    [InlineData("GET", "tagging", S3Operation.GetBucketTagging, null)]
    [InlineData("PUT", "tagging", S3Operation.PutBucketTagging, null)]
    [InlineData("DELETE", "tagging", S3Operation.DeleteBucketTagging, null)]
    [InlineData("GET", "lifecycle", S3Operation.GetBucketLifecycleConfiguration, null)]
    [InlineData("PUT", "lifecycle", S3Operation.PutBucketLifecycleConfiguration, null)]
    [InlineData("DELETE", "lifecycle", S3Operation.DeleteBucketLifecycle, null)]
    [InlineData("GET", "policy", S3Operation.Unsupported, "GetBucket policy")]
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

    [Theory]
    [InlineData("GET", "tagging", S3Operation.GetObjectTagging)]
    [InlineData("GET", "attributes", S3Operation.GetObjectAttributes)]
    [InlineData("GET", "attributes&versionId=null", S3Operation.GetObjectAttributes)]
    [InlineData("PUT", "tagging", S3Operation.PutObjectTagging)]
    [InlineData("DELETE", "tagging", S3Operation.DeleteObjectTagging)]
    [InlineData("PUT", "tagging&versionId=null", S3Operation.PutObjectTagging)]
    [InlineData("GET", "", S3Operation.GetObject)]
    public void Object_requests_map_to_their_operation(string method, string query, S3Operation expected)
    {
        // Act
        var request = _parser.Parse(method, "/photos/a/b.jpg", query, "127.0.0.1:9000", new HeaderDictionary());

        // Assert
        Assert.Equal(expected, request.Operation);
        Assert.Equal(("photos", "a/b.jpg"), (request.Bucket, request.Key));
    }
}
