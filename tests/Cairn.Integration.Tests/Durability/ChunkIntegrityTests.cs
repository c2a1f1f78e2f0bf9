using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// DESIGN invariant 3: a missing or corrupt chunk is a hard error, never an empty or short body.
/// Before the response starts the client gets 500 InternalError; once headers (with the full
/// Content-Length) are out, the connection is cut so the client cannot take a short body for a whole one.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ChunkIntegrityTests(ServerFixture fixture)
{
    private const int ChunkSize = 256 * 1024;

    [Fact(Timeout = 60_000)]
    public async Task GetObject_of_an_object_whose_only_chunk_is_missing_returns_500_InternalError()
    {
        var (bucket, blobs) = await PutAsync(ChunkSize / 2);
        File.Delete(blobs[0]);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => fixture.Server.Client.GetObjectAsync(bucket, "k"));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("InternalError", error.ErrorCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task GetObject_of_an_object_with_a_corrupt_chunk_returns_500_InternalError()
    {
        var (bucket, blobs) = await PutAsync(ChunkSize / 2);
        var bytes = await File.ReadAllBytesAsync(blobs[0]);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(blobs[0], bytes);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => fixture.Server.Client.GetObjectAsync(bucket, "k"));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task GetObject_whose_later_chunk_is_missing_cuts_the_connection_instead_of_sending_a_short_body()
    {
        var (bucket, blobs) = await PutAsync(3 * ChunkSize);
        File.Delete(blobs[2]);
        using var http = new HttpClient();
        var url = fixture.Server.Client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = "k",
            Verb = HttpVerb.GET,
            Protocol = Protocol.HTTP,
            Expires = DateTime.UtcNow.AddMinutes(5),
        });

        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3 * ChunkSize, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => body.CopyToAsync(Stream.Null));
    }

    /// <summary>Puts one object of <paramref name="size"/> bytes; returns its bucket and its chunk files in body order.</summary>
    private async Task<(string Bucket, List<string> Blobs)> PutAsync(int size)
    {
        var s3 = fixture.Server.Client;
        var bucket = CairnServer.NewBucketName("integrity");
        await s3.PutBucketAsync(bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(size)) });

        var metadata = fixture.Server.Services.GetRequiredService<MetadataCatalog>();
        var version = await metadata.Objects.GetObjectAsync(bucket, "k", CancellationToken.None);
        var located = await metadata.Chunks.LocateChunksAsync(version!.Chunks.Select(c => c.Hash).ToList(), CancellationToken.None);
        var blobs = version.Chunks.Select(c => Path.Combine(fixture.Server.DataDirectory, "blobs", located[c.Hash].BlobName)).ToList();
        Assert.All(blobs, path => Assert.True(File.Exists(path), path));
        return (bucket, blobs);
    }
}
