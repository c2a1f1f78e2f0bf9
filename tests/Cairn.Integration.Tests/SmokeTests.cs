using System.Security.Cryptography;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests;

[Collection(ServerCollection.Name)]
public sealed class SmokeTests(ServerFixture fixture)
{
    [Fact(Timeout = 60_000)]
    public async Task Sdk_with_default_settings_puts_and_gets_an_object()
    {
        var s3 = fixture.Server.Client;
        var bucket = CairnServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        var body = RandomNumberGenerator.GetBytes(700 * 1024);

        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dir/a.bin", InputStream = new MemoryStream(body) });
        using var get = await s3.GetObjectAsync(bucket, "dir/a.bin");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);

        Assert.Equal(body, copy.ToArray());
        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"", put.ETag);
    }
}
