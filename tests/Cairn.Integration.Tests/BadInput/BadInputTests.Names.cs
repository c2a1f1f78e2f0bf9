using System.Globalization;
using System.Text;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>Bucket names, keys, ranges, and things that are not there.</summary>
public sealed partial class BadInputTests
{
    /// <summary>Bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html</summary>
    [Theory(Timeout = 30_000)]
    [InlineData("ab")] // shorter than 3
    [InlineData("BadInputBucket")] // upper case
    [InlineData("bad_input_bucket")] // underscore
    [InlineData("192.168.5.4")] // formatted as an IP address
    [InlineData("xn--badinput")] // reserved prefix
    public async Task CreateBucket_with_an_invalid_name_returns_InvalidBucketName_and_creates_no_bucket(string name)
    {
        // Arrange
        var before = await StoreSnapshot.CaptureAsync(Server, bucket: null);

        // Act
        var response = await SendSignedAsync(Wire.Request("PUT", WireSigner.PathOf(name)));

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "InvalidBucketName");
        Assert.Equal(name, error.Element("BucketName")?.Value);
        await AssertRefusedUpFrontAsync(before);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_key_over_1024_utf8_bytes_returns_KeyTooLongError_and_changes_nothing()
    {
        // Arrange: 342 three-byte characters: 342 chars (under 1024) but 1026 UTF-8 bytes.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var key = new string('€', 342);
        Assert.True(key.Length < 1024);
        Assert.Equal(1026, Encoding.UTF8.GetByteCount(key));

        // Act
        var response = await SendSignedAsync(WithBody("PUT", WireSigner.PathOf(bucket, key), Bytes(LargeBodyLength, 8)));

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "KeyTooLongError");
        Assert.Equal("1026", error.Element("Size")?.Value);
        Assert.Equal("1024", error.Element("MaxSizeAllowed")?.Value);
        await AssertRefusedUpFrontAsync(before);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_with_an_unsatisfiable_range_returns_InvalidRange_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync("existing.bin");
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act: the first byte asked for is past the end.
        var response = await GetAsync(bucket, "existing.bin", range: string.Create(CultureInfo.InvariantCulture, $"bytes={LargeBodyLength}-{LargeBodyLength + 10}"));

        // Assert
        var error = S3ErrorAssert.Error(response, 416, "InvalidRange");
        Assert.Equal(LargeBodyLength.ToString(CultureInfo.InvariantCulture), error.Element("ActualObjectSize")?.Value);
        Assert.Equal($"bytes */{LargeBodyLength}", response.Header("Content-Range"));
        await AssertRefusedUpFrontAsync(before);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_into_a_missing_bucket_returns_NoSuchBucket_and_creates_nothing()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("bad");
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        var response = await SendSignedAsync(WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 9)));

        // Assert
        var error = S3ErrorAssert.Error(response, 404, "NoSuchBucket");
        Assert.Equal(bucket, error.Element("BucketName")?.Value);
        await AssertRefusedUpFrontAsync(before);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObject_of_a_missing_key_returns_NoSuchKey_naming_the_key()
    {
        // Arrange: a key that needs encoding, to check the Key element is the decoded key.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        const string Key = "dir/no such key €.txt";

        // Act
        var response = await GetAsync(bucket, Key);

        // Assert
        var error = S3ErrorAssert.Error(response, 404, "NoSuchKey");
        Assert.Equal(Key, error.Element("Key")?.Value);
        await AssertRefusedUpFrontAsync(before);
    }
}
