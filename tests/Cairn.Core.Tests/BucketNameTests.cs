namespace Cairn.Core.Tests;

public class BucketNameTests
{
    [Theory]
    [InlineData("abc", true)]
    [InlineData("my-bucket", true)]
    [InlineData("my.bucket.name", true)]
    [InlineData("a1b2c3", true)]
    [InlineData("000", true)]
    [InlineData("1.2.3", true)]
    [InlineData("1.2.3.4.5", true)]
    [InlineData("256.1.1.1", true)]
    [InlineData("ab", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("MyBucket", false)]
    [InlineData("my_bucket", false)]
    [InlineData("my bucket", false)]
    [InlineData("-bucket", false)]
    [InlineData("bucket-", false)]
    [InlineData(".bucket", false)]
    [InlineData("bucket.", false)]
    [InlineData("my..bucket", false)]
    [InlineData("my.-bucket", false)]
    [InlineData("my-.bucket", false)]
    [InlineData("192.168.5.4", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("xn--bucket", false)]
    [InlineData("xn--", false)]
    [InlineData("sthree-bucket", false)]
    [InlineData("amzn-s3-demo-bucket", false)]
    [InlineData("bucket-s3alias", false)]
    [InlineData("bucket--ol-s3", false)]
    [InlineData("bucket.mrap", false)]
    [InlineData("bucket--x-s3", false)]
    [InlineData("bucket--table-s3", false)]
    [InlineData("bucket-xn--a", true)]
    public void IsValid_follows_the_general_purpose_bucket_rules(string? name, bool expected)
    {
        Assert.Equal(expected, BucketName.IsValid(name));
    }

    [Fact]
    public void IsValid_accepts_63_characters_and_rejects_64()
    {
        Assert.True(BucketName.IsValid(new string('a', 63)));
        Assert.False(BucketName.IsValid(new string('a', 64)));
    }
}
