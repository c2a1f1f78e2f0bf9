using Cairn.S3.Errors;
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
    [InlineData("GET", "inventory&id=report1", S3Operation.GetBucketInventoryConfiguration, null)]
    [InlineData("GET", "id=report1&inventory", S3Operation.GetBucketInventoryConfiguration, null)]
    [InlineData("GET", "inventory", S3Operation.ListBucketInventoryConfigurations, null)]
    [InlineData("GET", "inventory=&id=", S3Operation.ListBucketInventoryConfigurations, null)]
    [InlineData("GET", "inventory&continuation-token=abc", S3Operation.ListBucketInventoryConfigurations, null)]
    [InlineData("PUT", "inventory&id=report1", S3Operation.PutBucketInventoryConfiguration, null)]
    [InlineData("DELETE", "inventory&id=report1", S3Operation.DeleteBucketInventoryConfiguration, null)]
    [InlineData("GET", "policy", S3Operation.GetBucketPolicy, null)]
    [InlineData("PUT", "policy", S3Operation.PutBucketPolicy, null)]
    [InlineData("DELETE", "policy", S3Operation.DeleteBucketPolicy, null)]
    [InlineData("GET", "policyStatus", S3Operation.GetBucketPolicyStatus, null)]
    [InlineData("GET", "acl", S3Operation.GetBucketAcl, null)]
    [InlineData("GET", "cors", S3Operation.GetBucketCors, null)]
    [InlineData("PUT", "cors", S3Operation.PutBucketCors, null)]
    [InlineData("DELETE", "cors", S3Operation.DeleteBucketCors, null)]
    [InlineData("OPTIONS", "", S3Operation.PreflightCors, null)]
    [InlineData("GET", "encryption", S3Operation.GetBucketEncryption, null)]
    [InlineData("PUT", "encryption", S3Operation.PutBucketEncryption, null)]
    [InlineData("DELETE", "encryption", S3Operation.DeleteBucketEncryption, null)]
    [InlineData("GET", "website", S3Operation.Unsupported, "GetBucket website")]
    [InlineData("POST", "", S3Operation.PostObject, null)]
    [InlineData("POST", "delete", S3Operation.DeleteObjects, null)]
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
    [InlineData("PUT", "inventory")]
    [InlineData("PUT", "inventory&id=")]
    [InlineData("DELETE", "inventory")]
    [InlineData("DELETE", "inventory&id")]
    public void Putting_or_deleting_an_inventory_configuration_without_an_id_is_InvalidArgument(string method, string query)
    {
        var error = Assert.Throws<S3Exception>(() => _parser.Parse(method, "/photos", query, "127.0.0.1:9000", new HeaderDictionary()));

        Assert.Equal((S3ErrorCode.InvalidArgument, 400), (error.Code, error.StatusCode));
        Assert.Equal([new("ArgumentName", "id"), new("ArgumentValue", "")], error.Details);
    }

    [Theory]
    [InlineData("HEAD")]
    [InlineData("POST")]
    public void Other_methods_on_inventory_are_MethodNotAllowed(string method)
    {
        var error = Assert.Throws<S3Exception>(() => _parser.Parse(method, "/photos", "inventory&id=r1", "127.0.0.1:9000", new HeaderDictionary()));

        Assert.Equal(S3ErrorCode.MethodNotAllowed, error.Code);
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
