using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>Object and bucket tagging through the AWS SDK, with AWS's limits and errors.</summary>
[Collection(ServerCollection.Name)]
public sealed class TaggingTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    private static List<Tag> Tags(params (string Key, string Value)[] tags) => [.. tags.Select(static t => new Tag { Key = t.Key, Value = t.Value })];

    private static List<(string, string)> Pairs(IEnumerable<Tag>? tags) =>
        [.. (tags ?? []).Select(static t => (t.Key, t.Value)).OrderBy(static p => p.Key, StringComparer.Ordinal)];

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_tagging_stores_the_tags_and_GET_and_HEAD_count_them()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act: the SDK sends x-amz-tagging URL-encoded.
        await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            ContentBody = "hello",
            TagSet = Tags(("project", "cairn"), ("note", "a b&c=d é")),
        });
        var tags = await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" });
        using var get = await _s3.GetObjectAsync(bucket, "k");
        var headCount = await HeadTaggingCountAsync(bucket, "k");

        // Assert
        Assert.Equal([("note", "a b&c=d é"), ("project", "cairn")], Pairs(tags.Tagging));
        Assert.Equal(2, get.TagCount);
        Assert.Equal("2", headCount);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObjectTagging_replaces_the_tags_without_changing_the_object_and_DeleteObjectTagging_removes_them()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var put = await _s3.PutTextAsync(bucket, "k", "body");
        var before = await _s3.GetObjectMetadataAsync(bucket, "k");

        // Act
        await _s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = bucket,
            Key = "k",
            Tagging = new Tagging { TagSet = Tags(("a", "1"), ("b", "")) },
        });
        var tagged = await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" });
        var after = await _s3.GetObjectMetadataAsync(bucket, "k");
        var deleted = await _s3.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "k" });
        var untagged = await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" });
        var headUntagged = await HeadTaggingCountAsync(bucket, "k");

        // Assert
        Assert.Equal([("a", "1"), ("b", "")], Pairs(tagged.Tagging));
        Assert.Equal((put.ETag, before.LastModified), (after.ETag, after.LastModified));
        Assert.Equal("body", System.Text.Encoding.UTF8.GetString(await _s3.GetBytesAsync(bucket, "k")));
        Assert.Equal(HttpStatusCode.NoContent, deleted.HttpStatusCode);
        Assert.Empty(Pairs(untagged.Tagging));
        Assert.Null(headUntagged);
    }

    /// <summary>The x-amz-tagging-count header of a HEAD, read off the wire (the SDK's HEAD response does not expose it).</summary>
    private async Task<string?> HeadTaggingCountAsync(string bucket, string key)
    {
        var url = _s3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = key,
            Verb = HttpVerb.HEAD,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Protocol = Protocol.HTTP,
        });
        using var http = new HttpClient();
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(url)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.TryGetValues("x-amz-tagging-count", out var values) ? values.Single() : null;
    }

    [Fact(Timeout = 30_000)]
    public async Task CopyObject_copies_the_source_tags_unless_the_tagging_directive_is_REPLACE()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "src", ContentBody = "x", TagSet = Tags(("from", "source")) });

        // Act
        await _s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", DestinationBucket = bucket, DestinationKey = "copied" });
        await _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "src",
            DestinationBucket = bucket,
            DestinationKey = "replaced",
            TaggingDirective = TaggingDirective.REPLACE,
            TagSet = Tags(("new", "tags")),
        });

        // Assert
        Assert.Equal([("from", "source")], Pairs((await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "copied" })).Tagging));
        Assert.Equal([("new", "tags")], Pairs((await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "replaced" })).Tagging));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_overwrite_without_tagging_has_no_tags()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", TagSet = Tags(("a", "1")) });

        // Act
        await _s3.PutTextAsync(bucket, "k", "2");

        // Assert
        Assert.Empty(Pairs((await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bucket_tagging_round_trips_and_a_bucket_without_tags_answers_NoSuchTagSet()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var none = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }),
            HttpStatusCode.NotFound, "NoSuchTagSet");
        await _s3.PutBucketTaggingAsync(bucket, Tags(("team", "storage"), ("cost-center", "42")));
        var tagged = await _s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket });
        await _s3.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = bucket });

        // Assert
        Assert.Equal([("cost-center", "42"), ("team", "storage")], Pairs(tagged.TagSet));
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }),
            HttpStatusCode.NotFound, "NoSuchTagSet");
        Assert.NotNull(none);
    }

    public static TheoryData<string, string, string> BadTagSets => new()
    {
        // name, expected code, tag set as "k=v;k=v" (a key repeated for duplicates)
        { "eleven tags", "BadRequest", string.Join(";", Enumerable.Range(0, 11).Select(static i => $"k{i}=v")) },
        { "a key of 129 characters", "InvalidTag", new string('k', 129) + "=v" },
        { "a value of 257 characters", "InvalidTag", "k=" + new string('v', 257) },
        { "a duplicate key", "InvalidTag", "k=1;k=2" },
        { "a key prefixed with aws:", "InvalidTag", "aws:cloudformation=x" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BadTagSets))]
    public async Task Bad_tag_sets_are_refused_with_AWSs_error_and_change_nothing(string name, string code, string tagSet)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "x", TagSet = Tags(("keep", "me")) });
        var tags = tagSet.Split(';').Select(static pair => new Tag { Key = pair[..pair.IndexOf('=', StringComparison.Ordinal)], Value = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..] }).ToList();

        // Act
        var onTagging = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = bucket,
            Key = "k",
            Tagging = new Tagging { TagSet = tags },
        }));
        var onPut = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "new",
            ContentBody = "y",
            TagSet = tags,
        }));
        var onCreateUpload = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "new",
            TagSet = tags,
        }));

        // Assert
        Assert.True((HttpStatusCode.BadRequest, code) == (onTagging.StatusCode, onTagging.ErrorCode), $"{name}: {onTagging.StatusCode} {onTagging.ErrorCode}");
        Assert.True((HttpStatusCode.BadRequest, code) == (onPut.StatusCode, onPut.ErrorCode), $"{name}: {onPut.StatusCode} {onPut.ErrorCode}");
        Assert.True((HttpStatusCode.BadRequest, code) == (onCreateUpload.StatusCode, onCreateUpload.ErrorCode),
            $"{name}: {onCreateUpload.StatusCode} {onCreateUpload.ErrorCode}");
        Assert.Empty((await _s3.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? []);
        Assert.Equal([("keep", "me")], Pairs((await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging));
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectMetadataAsync(bucket, "new"), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact(Timeout = 30_000)]
    public async Task Fifty_one_bucket_tags_are_refused_and_fifty_are_accepted()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            _s3.PutBucketTaggingAsync(bucket, [.. Enumerable.Range(0, 51).Select(static i => new Tag { Key = "k" + i, Value = "v" })]));
        await _s3.PutBucketTaggingAsync(bucket, [.. Enumerable.Range(0, 50).Select(static i => new Tag { Key = "k" + i, Value = "v" })]);

        // Assert
        Assert.Equal((HttpStatusCode.BadRequest, "BadRequest"), (error.StatusCode, error.ErrorCode));
        Assert.Equal(50, (await _s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task Tagging_a_missing_key_or_bucket_answers_NoSuchKey_or_NoSuchBucket()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var tagging = new Tagging { TagSet = Tags(("a", "1")) };

        // Act and assert
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "absent", Tagging = tagging }),
            HttpStatusCode.NotFound, "NoSuchKey");
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "absent" }),
            HttpStatusCode.NotFound, "NoSuchKey");
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket + "-missing", Key = "k", Tagging = tagging }),
            HttpStatusCode.NotFound, "NoSuchBucket");
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutBucketTaggingAsync(bucket + "-missing", [.. tagging.TagSet]),
            HttpStatusCode.NotFound, "NoSuchBucket");
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetObjectMetadataAsync(bucket, "absent"), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateMultipartUpload_with_tagging_gives_the_completed_object_the_tags_and_HEAD_counts_them()
    {
        // Arrange: two parts, the first of S3's smallest size, so Complete assembles a real multipart object.
        var bucket = await _s3.NewBucketAsync();
        var uploadId = await _s3.CreateUploadAsync(bucket, "big", static r => r.TagSet = Tags(("project", "cairn"), ("note", "a b&c=d é")));
        var parts = await _s3.UploadPartsAsync(bucket, "big", uploadId,
            MultipartTestExtensions.RandomBytes(MultipartTestExtensions.MinPartSize, seed: 1), MultipartTestExtensions.RandomBytes(100, seed: 2));

        // Act
        await _s3.CompleteAsync(bucket, "big", uploadId, parts);
        var tags = await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "big" });
        using var get = await _s3.GetObjectAsync(bucket, "big");
        var headCount = await HeadTaggingCountAsync(bucket, "big");

        // Assert
        Assert.Equal([("note", "a b&c=d é"), ("project", "cairn")], Pairs(tags.Tagging));
        Assert.Equal(2, get.TagCount);
        Assert.Equal("2", headCount);
        Assert.Empty((await _s3.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? []);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateMultipartUpload_without_tagging_completes_an_object_without_tags()
    {
        // Arrange: the key first held a tagged object, which the completed upload replaces.
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "big", ContentBody = "old", TagSet = Tags(("a", "1")) });
        var uploadId = await _s3.CreateUploadAsync(bucket, "big");
        var parts = await _s3.UploadPartsAsync(bucket, "big", uploadId, MultipartTestExtensions.RandomBytes(100, seed: 3));

        // Act
        await _s3.CompleteAsync(bucket, "big", uploadId, parts);

        // Assert
        Assert.Empty(Pairs((await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "big" })).Tagging));
        Assert.Null(await HeadTaggingCountAsync(bucket, "big"));
    }
}
