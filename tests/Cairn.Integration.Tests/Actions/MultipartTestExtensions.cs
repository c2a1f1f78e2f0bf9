using System.Globalization;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Actions;

/// <summary>Steps the multipart tests share: start an upload, send a part, complete, and the values S3 computes, worked out independently.</summary>
internal static class MultipartTestExtensions
{
    public const int MiB = 1024 * 1024;

    /// <summary>S3's smallest part but the last (S3 "Amazon S3 multipart upload limits").</summary>
    public const int MinPartSize = 5 * MiB;

    /// <summary>
    /// The ETag S3 gives a multipart object: the MD5 of the concatenated binary MD5s of the parts, in
    /// hex, then <c>-N</c> (N the number of parts), quoted.
    /// </summary>
    public static string MultipartETag(params byte[][] parts)
    {
        var md5s = new byte[parts.Length * MD5.HashSizeInBytes];
        for (var i = 0; i < parts.Length; i++)
        {
            MD5.HashData(parts[i]).CopyTo(md5s, i * MD5.HashSizeInBytes);
        }
        return "\"" + Convert.ToHexStringLower(MD5.HashData(md5s)) + "-" + parts.Length.ToString(CultureInfo.InvariantCulture) + "\"";
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(static p => p).ToArray();

    public static async Task<string> CreateUploadAsync(this IAmazonS3 s3, string bucket, string key,
        Action<InitiateMultipartUploadRequest>? configure = null)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key };
        configure?.Invoke(request);
        var response = await s3.InitiateMultipartUploadAsync(request);
        Assert.False(string.IsNullOrEmpty(response.UploadId));
        return response.UploadId;
    }

    public static Task<UploadPartResponse> UploadPartBytesAsync(this IAmazonS3 s3, string bucket, string key, string uploadId, int partNumber,
        byte[] body, Action<UploadPartRequest>? configure = null)
    {
        var request = new UploadPartRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = new MemoryStream(body),
        };
        configure?.Invoke(request);
        return s3.UploadPartAsync(request);
    }

    public static Task<CompleteMultipartUploadResponse> CompleteAsync(this IAmazonS3 s3, string bucket, string key, string uploadId,
        IEnumerable<PartETag> parts, Action<CompleteMultipartUploadRequest>? configure = null)
    {
        var request = new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartETags = [.. parts] };
        configure?.Invoke(request);
        return s3.CompleteMultipartUploadAsync(request);
    }

    /// <summary>Uploads each body as parts 1..N, one after another, and returns their ETags for Complete.</summary>
    public static async Task<List<PartETag>> UploadPartsAsync(this IAmazonS3 s3, string bucket, string key, string uploadId, params byte[][] bodies)
    {
        var etags = new List<PartETag>(bodies.Length);
        for (var i = 0; i < bodies.Length; i++)
        {
            var response = await s3.UploadPartBytesAsync(bucket, key, uploadId, i + 1, bodies[i]);
            etags.Add(new PartETag(i + 1, response.ETag));
        }
        return etags;
    }

    /// <summary>Creates, uploads the bodies as parts 1..N and completes: a multipart object.</summary>
    public static async Task<CompleteMultipartUploadResponse> PutMultipartAsync(this IAmazonS3 s3, string bucket, string key, params byte[][] bodies)
    {
        var uploadId = await s3.CreateUploadAsync(bucket, key);
        var parts = await s3.UploadPartsAsync(bucket, key, uploadId, bodies);
        return await s3.CompleteAsync(bucket, key, uploadId, parts);
    }

    /// <summary>The part numbers, ETags and sizes ListParts returns (one page).</summary>
    public static async Task<List<string>> ListPartSummariesAsync(this IAmazonS3 s3, string bucket, string key, string uploadId)
    {
        var response = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = key, UploadId = uploadId });
        return (response.Parts ?? []).Select(static p => $"{p.PartNumber} {p.ETag} {p.Size}").ToList();
    }

    /// <summary>The upload ids listed for the bucket (one page, no filters).</summary>
    public static async Task<List<string>> ListUploadIdsAsync(this IAmazonS3 s3, string bucket)
    {
        var response = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        return (response.MultipartUploads ?? []).Select(static u => u.UploadId).ToList();
    }
}
