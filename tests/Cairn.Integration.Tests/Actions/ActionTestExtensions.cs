using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Actions;

/// <summary>Small steps the action tests share: a bucket per test, bytes in and out, expected S3 errors.</summary>
internal static class ActionTestExtensions
{
    /// <summary>The ETag S3 returns for a single PUT: the quoted MD5 hex of the body.</summary>
    public static string QuotedMd5(byte[] body) => "\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"";

    /// <summary>Creates a fresh bucket (one per test) and returns its name.</summary>
    public static async Task<string> NewBucketAsync(this IAmazonS3 s3, string prefix = "t")
    {
        var bucket = CairnServer.NewBucketName(prefix);
        await s3.PutBucketAsync(bucket);
        return bucket;
    }

    public static Task<PutObjectResponse> PutBytesAsync(this IAmazonS3 s3, string bucket, string key, byte[] body,
        Action<PutObjectRequest>? configure = null)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body) };
        configure?.Invoke(request);
        return s3.PutObjectAsync(request);
    }

    public static Task<PutObjectResponse> PutTextAsync(this IAmazonS3 s3, string bucket, string key, string text) =>
        s3.PutBytesAsync(bucket, key, Encoding.UTF8.GetBytes(text));

    public static async Task<byte[]> GetBytesAsync(this IAmazonS3 s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        return await response.ReadAllAsync();
    }

    public static async Task<byte[]> ReadAllAsync(this GetObjectResponse response)
    {
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Creates 0-byte objects, <paramref name="parallelism"/> requests at a time.</summary>
    public static Task PutEmptyObjectsAsync(this IAmazonS3 s3, string bucket, IEnumerable<string> keys, int parallelism = 16) =>
        Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (key, cancellationToken) => await s3.PutObjectAsync(
                new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream() }, cancellationToken));

    /// <summary>Asserts that <paramref name="action"/> fails with this S3 error code and HTTP status.</summary>
    public static async Task<AmazonS3Exception> AssertS3ErrorAsync(Func<Task> action, HttpStatusCode status, string errorCode)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(action);
        Assert.Equal((status, errorCode), (error.StatusCode, error.ErrorCode));
        return error;
    }

    /// <summary>Asserts that <paramref name="action"/> fails with this HTTP status (HEAD errors carry no body, hence no code).</summary>
    public static async Task<AmazonS3Exception> AssertS3StatusAsync(Func<Task> action, HttpStatusCode status)
    {
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(action);
        Assert.Equal(status, error.StatusCode);
        return error;
    }

    /// <summary>Orders strings by their UTF-8 bytes, the order S3 lists keys in.</summary>
    public static int CompareUtf8(string? x, string? y) =>
        Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
}
