using System.Text;
using Cairn.S3.Errors;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed partial class S3XmlReaderTests
{
    private static void AssertMalformed(Action read)
    {
        var ex = Assert.Throws<S3Exception>(read);
        Assert.Equal(S3ErrorCode.MalformedXML, ex.Code);
        Assert.Equal(400, ex.StatusCode);
    }

    private static string DeleteBody(IEnumerable<string> keys, string? quiet = null) =>
        "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
        string.Concat(keys.Select(k => $"<Object><Key>{k}</Key></Object>")) +
        (quiet is null ? "" : $"<Quiet>{quiet}</Quiet>") +
        "</Delete>";

    [Fact]
    public void CreateBucketConfiguration_returns_the_location_constraint()
    {
        var body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>";

        Assert.Equal("eu-west-1", S3XmlReader.ReadCreateBucketConfiguration(Utf8Stream(body)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n ")]
    [InlineData("<CreateBucketConfiguration/>")]
    [InlineData("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint></LocationConstraint></CreateBucketConfiguration>")]
    [InlineData("<CreateBucketConfiguration><Bucket><Type>Directory</Type></Bucket></CreateBucketConfiguration>")]
    public void CreateBucketConfiguration_without_a_location_returns_null(string body)
    {
        Assert.Null(S3XmlReader.ReadCreateBucketConfiguration(Utf8Stream(body)));
    }

    [Fact]
    public void CreateBucketConfiguration_accepts_a_byte_order_mark_and_no_namespace()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("<CreateBucketConfiguration><LocationConstraint> ap-south-1 </LocationConstraint></CreateBucketConfiguration>")).ToArray();

        Assert.Equal("ap-south-1", S3XmlReader.ReadCreateBucketConfiguration(new MemoryStream(bytes)));
    }

    [Theory]
    [InlineData("<CreateBucketConfiguration>")]
    [InlineData("not xml at all")]
    [InlineData("<Delete><LocationConstraint>eu-west-1</LocationConstraint></Delete>")]
    [InlineData("<CreateBucketConfiguration xmlns=\"urn:other\"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>")]
    [InlineData("<CreateBucketConfiguration></CreateBucketConfiguration><Extra/>")]
    [InlineData("<CreateBucketConfiguration>stray text</CreateBucketConfiguration>")]
    [InlineData("<CreateBucketConfiguration><LocationConstraint><Nested/></LocationConstraint></CreateBucketConfiguration>")]
    public void CreateBucketConfiguration_that_is_malformed_or_wrongly_rooted_is_MalformedXML(string body)
    {
        AssertMalformed(() => S3XmlReader.ReadCreateBucketConfiguration(Utf8Stream(body)));
    }

    [Fact]
    public void A_DTD_is_refused_so_entity_expansion_cannot_run()
    {
        var body = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>" +
            "<CreateBucketConfiguration><LocationConstraint>&lol2;</LocationConstraint></CreateBucketConfiguration>";

        AssertMalformed(() => S3XmlReader.ReadCreateBucketConfiguration(Utf8Stream(body)));
    }

    [Fact]
    public void An_external_entity_is_refused()
    {
        var body = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Delete><Object><Key>&xxe;</Key></Object></Delete>";

        AssertMalformed(() => S3XmlReader.ReadDelete(Utf8Stream(body)));
    }

    [Fact]
    public void Delete_returns_keys_and_version_ids_in_request_order_and_quiet_false_by_default()
    {
        // Arrange
        var body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Object>
                <Key>sample1.txt</Key>
              </Object>
              <Object>
                <Key>sample2.txt</Key>
                <VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId>
                <ETag>"abc"</ETag>
              </Object>
            </Delete>
            """;

        // Act
        var (quiet, objects) = S3XmlReader.ReadDelete(Utf8Stream(body));

        // Assert
        Assert.False(quiet);
        Assert.Equal([("sample1.txt", (string?)null, (string?)null), ("sample2.txt", "OYcLXagmS.WaD..oyH4KRguB95_YhLs7", "\"abc\"")], objects);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData(" false ", false)]
    public void Delete_reads_the_quiet_flag(string value, bool expected)
    {
        var (quiet, _) = S3XmlReader.ReadDelete(Utf8Stream(DeleteBody(["k"], value)));

        Assert.Equal(expected, quiet);
    }

    [Fact]
    public void Delete_with_quiet_before_the_objects_and_no_namespace_is_accepted()
    {
        var (quiet, objects) = S3XmlReader.ReadDelete(Utf8Stream("<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>"));

        Assert.True(quiet);
        Assert.Equal([("a", (string?)null, (string?)null)], objects);
    }

    [Fact]
    public void Delete_reads_each_object_s_ETag_for_a_conditional_delete()
    {
        var (_, objects) = S3XmlReader.ReadDelete(Utf8Stream("<Delete><Object><Key>a</Key><ETag>\"abc\"</ETag></Object><Object><Key>b</Key></Object></Delete>"));

        Assert.Equal([("a", (string?)null, "\"abc\""), ("b", null, null)], objects);
    }

    [Fact]
    public void Delete_keeps_unicode_whitespace_and_escaped_characters_in_keys_exactly()
    {
        // Arrange: botocore escapes CR and LF in DeleteObjects bodies as numeric references.
        string[] keys = ["caf\u00e9/\u65e5\u672c/\U0001F600", "   ", " padded ", "a&b<c>", "line\r\nbreak", "ctl\u0001"];
        var body = "<Delete><Object><Key>caf\u00e9/\u65e5\u672c/\U0001F600</Key></Object><Object><Key>   </Key></Object>" +
            "<Object><Key> padded </Key></Object><Object><Key>a&amp;b&lt;c&gt;</Key></Object>" +
            "<Object><Key>line&#xD;&#xA;break</Key></Object><Object><Key>ctl&#x1;</Key></Object></Delete>";

        // Act
        var (_, objects) = S3XmlReader.ReadDelete(Utf8Stream(body));

        // Assert
        Assert.Equal(keys, objects.Select(o => o.Key));
    }

    [Fact]
    public void Delete_accepts_exactly_1000_objects()
    {
        var (_, objects) = S3XmlReader.ReadDelete(Utf8Stream(DeleteBody(Enumerable.Range(0, 1000).Select(i => $"k{i}"))));

        Assert.Equal(1000, objects.Count);
        Assert.Equal("k999", objects[^1].Key);
    }

    [Fact]
    public void Delete_with_1001_objects_is_MalformedXML()
    {
        AssertMalformed(() => S3XmlReader.ReadDelete(Utf8Stream(DeleteBody(Enumerable.Range(0, 1001).Select(i => $"k{i}")))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<Delete></Delete>")]
    [InlineData("<Delete/>")]
    [InlineData("<Delete><Quiet>true</Quiet></Delete>")]
    public void Delete_with_no_objects_is_MalformedXML(string body)
    {
        AssertMalformed(() => S3XmlReader.ReadDelete(Utf8Stream(body)));
    }

    [Theory]
    [InlineData("<Delete><Object><VersionId>v</VersionId></Object></Delete>")]
    [InlineData("<Delete><Object/></Delete>")]
    [InlineData("<Delete><Object><Key></Key></Object></Delete>")]
    [InlineData("<Delete><Object><Key>a</Key></Object><Quiet>maybe</Quiet></Delete>")]
    [InlineData("<Delete><Object><Key>a</Key></Object>")]
    [InlineData("<Delete><Object><Key>a</Key></Objects></Delete>")]
    [InlineData("<Remove><Object><Key>a</Key></Object></Remove>")]
    [InlineData("<Delete xmlns=\"urn:not-s3\"><Object><Key>a</Key></Object></Delete>")]
    [InlineData("<Delete><Object><Key>a<b/></Key></Object></Delete>")]
    [InlineData("<Delete>text<Object><Key>a</Key></Object></Delete>")]
    [InlineData("<Delete><Object><Key>a</Key></Object></Delete><Delete/>")]
    [InlineData("{\"Objects\":[{\"Key\":\"a\"}]}")]
    public void Delete_that_is_malformed_wrongly_rooted_or_missing_a_key_is_MalformedXML(string body)
    {
        AssertMalformed(() => S3XmlReader.ReadDelete(Utf8Stream(body)));
    }

    [Fact]
    public void Delete_leaves_the_stream_open_for_the_caller()
    {
        var stream = Utf8Stream(DeleteBody(["a"]));

        S3XmlReader.ReadDelete(stream);

        Assert.True(stream.CanRead);
    }
}
