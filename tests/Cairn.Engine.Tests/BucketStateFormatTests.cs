using System.Text;
using Cairn.Engine.Archive;
using Cairn.Metadata;

namespace Cairn.Engine.Tests;

/// <summary>The archive's bucket state keeps each bucket's owner (issue 14); root's buckets are written as before users existed.</summary>
public sealed class BucketStateFormatTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_users_bucket_comes_back_with_its_owner_and_roots_bucket_with_none_and_no_owner_field()
    {
        var buckets = new List<ArchivedBucket>
        {
            new(new BucketRecord("alices", Created, "us-east-1") { Owner = "alice" }, []),
            new(new BucketRecord("roots", Created, "us-east-1"), []),
        };

        var json = BucketStateFormat.EncodeJson(buckets);
        var decoded = BucketStateFormat.Decode(BucketStateFormat.Compress(json));

        Assert.Equal(["alice", null], decoded.Select(archived => archived.Bucket.Owner));
        Assert.Equal(buckets.Select(archived => archived.Bucket), decoded.Select(archived => archived.Bucket));
        Assert.Equal(1, CountOf(Encoding.UTF8.GetString(json), "\"owner\""));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
