using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration and DeleteBucketLifecycle through
/// the AWS SDK (issue 13), with AWS as the reference: every rule kind and filter form round-trips,
/// a bucket without a configuration answers NoSuchLifecycleConfiguration, and each bad configuration
/// gets S3's error code with the stored configuration left as it was. Bad documents go over the wire
/// by hand (the SDK would not send them).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class LifecycleConfigurationTests(ServerFixture fixture) : IDisposable
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private readonly AmazonS3Client _s3 = fixture.Server.Client;
    private readonly WireClient _wire = new(fixture.Server.Endpoint);
    private readonly WireSigner _signer = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    public void Dispose() => _wire.Dispose();

    private static readonly DateTime Midnight = new(2031, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static LifecycleConfiguration EveryKind() => new()
    {
        Rules =
        [
            new LifecycleRule
            {
                Id = "logs", Status = LifecycleRuleStatus.Enabled,
                Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "logs/" } },
                Expiration = new LifecycleRuleExpiration { Days = 30 },
            },
            new LifecycleRule
            {
                Id = "old versions", Status = LifecycleRuleStatus.Enabled,
                Filter = new LifecycleFilter
                {
                    LifecycleFilterPredicate = new LifecycleAndOperator
                    {
                        Operands =
                        [
                            new LifecyclePrefixPredicate { Prefix = "data/" },
                            new LifecycleTagPredicate { Tag = new Tag { Key = "class", Value = "cold" } },
                            new LifecycleObjectSizeGreaterThanPredicate { ObjectSizeGreaterThan = 1024 },
                            new LifecycleObjectSizeLessThanPredicate { ObjectSizeLessThan = 1_048_576 },
                        ],
                    },
                },
                NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = 7, NewerNoncurrentVersions = 3 },
            },
            new LifecycleRule
            {
                Id = "uploads", Status = LifecycleRuleStatus.Disabled, Filter = new LifecycleFilter(),
                AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 2 },
            },
            new LifecycleRule
            {
                Id = "on a date", Status = LifecycleRuleStatus.Enabled,
                Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecycleTagPredicate { Tag = new Tag { Key = "t", Value = "v" } } },
                Expiration = new LifecycleRuleExpiration { Date = Midnight },
            },
            new LifecycleRule
            {
                Id = "markers", Status = LifecycleRuleStatus.Enabled,
                Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecycleObjectSizeLessThanPredicate { ObjectSizeLessThan = 10 } },
                Expiration = new LifecycleRuleExpiration { ExpiredObjectDeleteMarker = true },
            },
        ],
    };

    [Fact(Timeout = 30_000)]
    public async Task A_configuration_of_every_rule_kind_reads_back_as_put_and_delete_removes_it()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("lc");

        // Act
        await _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = bucket, Configuration = EveryKind() });
        var stored = (await _s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket })).Configuration;
        var deleted = await _s3.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = bucket });

        // Assert
        Assert.Equal(Describe(EveryKind()), Describe(stored));
        Assert.Equal(HttpStatusCode.NoContent, deleted.HttpStatusCode);
        await AssertNoConfigurationAsync(bucket);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_second_put_replaces_the_first_and_a_rule_without_an_ID_gets_one()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("lc");
        await _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = bucket, Configuration = EveryKind() });
        var replacement = """
            <LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Rule><Prefix>tmp/</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
            </LifecycleConfiguration>
            """;

        // Act
        var put = await SendAsync("PUT", bucket, replacement);
        var raw = await SendAsync("GET", bucket, null);

        // Assert
        Assert.True(put.Status == 200, put.ToString());
        var rule = Assert.Single(XDocument.Parse(raw.BodyText).Root!.Elements(S3("Rule")));
        Assert.Matches("^[0-9A-F]{32}$", rule.Element(S3("ID"))!.Value);
        Assert.Equal("tmp/", rule.Element(S3("Prefix"))!.Value); // the rule's own Prefix, answered back as given
        Assert.Null(rule.Element(S3("Filter")));
        Assert.Equal("1", rule.Element(S3("Expiration"))!.Element(S3("Days"))!.Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_bucket_without_a_configuration_or_without_existence_answers_as_S3_does()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("lc");
        var absent = CairnServer.NewBucketName("absent");

        // Act and assert
        await AssertNoConfigurationAsync(bucket);
        Assert.Equal(HttpStatusCode.NoContent,
            (await _s3.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = bucket })).HttpStatusCode);
        var get = await SendAsync("GET", absent, null); // the SDK answers any 404 of this call with an empty configuration
        Assert.True(get.Status == 404, get.ToString());
        Assert.Equal("NoSuchBucket", XDocument.Parse(get.BodyText).Root!.Element("Code")?.Value);
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = absent, Configuration = EveryKind() }),
            HttpStatusCode.NotFound, "NoSuchBucket");
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = absent }),
            HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact(Timeout = 30_000)]
    public async Task Deleting_the_bucket_deletes_its_configuration()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("lc");
        await _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = bucket, Configuration = EveryKind() });

        // Act
        await _s3.DeleteBucketAsync(bucket);
        await _s3.PutBucketAsync(bucket);

        // Assert
        await AssertNoConfigurationAsync(bucket);
    }

    private const string Good = "<Rule><ID>good</ID><Filter/><Status>Enabled</Status><Expiration><Days>5</Days></Expiration></Rule>";

    public static TheoryData<string, string, string> BadConfigurations() => new()
    {
        { "not XML", "<LifecycleConfiguration><Rule>", "MalformedXML" },
        { "no rule", "", "MalformedXML" },
        { "unknown element", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration><Colour>red</Colour></Rule>", "MalformedXML" },
        { "status", "<Rule><ID>a</ID><Filter/><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>", "MalformedXML" },
        { "filter and prefix", "<Rule><ID>a</ID><Filter/><Prefix>x</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>", "MalformedXML" },
        { "neither filter nor prefix", "<Rule><ID>a</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>", "MalformedXML" },
        { "two conditions outside And", "<Rule><ID>a</ID><Filter><Prefix>x</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>", "MalformedXML" },
        { "days and date", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2031-01-01T00:00:00Z</Date></Expiration></Rule>", "MalformedXML" },
        { "zero days", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>", "InvalidArgument" },
        { "negative noncurrent days", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>-1</NoncurrentDays></NoncurrentVersionExpiration></Rule>", "InvalidArgument" },
        { "newer versions over 100", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>", "InvalidArgument" },
        { "date not at midnight", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Date>2031-01-01T10:00:00Z</Date></Expiration></Rule>", "InvalidArgument" },
        { "same ID twice", Good + Good, "InvalidArgument" },
        { "ID too long", $"<Rule><ID>{new string('i', 256)}</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>", "InvalidArgument" },
        { "repeated tag key", "<Rule><ID>a</ID><Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>", "InvalidArgument" },
        { "sizes that select nothing", "<Rule><ID>a</ID><Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>", "InvalidArgument" },
        { "no action", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status></Rule>", "InvalidRequest" },
        { "abort with tags", "<Rule><ID>a</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>", "InvalidRequest" },
        { "delete markers with tags", "<Rule><ID>a</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>", "InvalidRequest" },
        { "transition to no tier", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>", "InvalidStorageClass" },
        { "noncurrent transition to no tier", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition></Rule>", "InvalidStorageClass" },
        { "transition days and date", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Transition><Days>30</Days><Date>2031-01-01T00:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition></Rule>", "MalformedXML" },
        { "negative transition days", "<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Transition><Days>-1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>", "InvalidArgument" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BadConfigurations))]
    public async Task A_bad_configuration_is_refused_with_S3s_error_and_the_stored_one_stays(string fault, string rules, string code)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("lc");
        await _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = bucket, Configuration = EveryKind() });
        var body = fault == "not XML" ? rules : $"<LifecycleConfiguration xmlns=\"{S3Namespace}\">{rules}</LifecycleConfiguration>";

        // Act
        var response = await SendAsync("PUT", bucket, body);

        // Assert
        Assert.True(response.Status == 400, $"{fault}: {response}");
        Assert.Equal(code, XDocument.Parse(response.BodyText).Root!.Element("Code")?.Value);
        var stored = (await _s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket })).Configuration;
        Assert.Equal(Describe(EveryKind()), Describe(stored));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_put_without_Content_MD5_or_a_checksum_is_refused()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("lc");

        // Act
        var response = await SendAsync("PUT", bucket, $"<LifecycleConfiguration xmlns=\"{S3Namespace}\">{Good}</LifecycleConfiguration>", contentMd5: false);

        // Assert
        Assert.True(response.Status == 400, response.ToString());
        Assert.Equal("InvalidRequest", XDocument.Parse(response.BodyText).Root!.Element("Code")?.Value);
        await AssertNoConfigurationAsync(bucket);
    }

    /// <summary>
    /// GET answers 404 NoSuchLifecycleConfiguration (checked on the wire: the SDK turns that error
    /// into an empty configuration, which is checked too).
    /// </summary>
    private async Task AssertNoConfigurationAsync(string bucket)
    {
        var raw = await SendAsync("GET", bucket, null);
        Assert.True(raw.Status == 404, raw.ToString());
        var error = XDocument.Parse(raw.BodyText).Root!;
        Assert.Equal("NoSuchLifecycleConfiguration", error.Element("Code")?.Value);
        Assert.Equal("The lifecycle configuration does not exist", error.Element("Message")?.Value);
        Assert.Equal(bucket, error.Element("BucketName")?.Value);
        var sdk = await _s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket });
        Assert.Empty(sdk.Configuration?.Rules ?? []);
    }

    private async Task<WireResponse> SendAsync(string method, string bucket, string? xml, bool contentMd5 = true)
    {
        var body = xml is null ? [] : Encoding.UTF8.GetBytes(xml);
        var request = _wire.Request(method, WireSigner.PathOf(bucket), "lifecycle");
        request.Body = body;
        if (xml is not null && contentMd5)
        {
            request.Headers["content-md5"] = Convert.ToBase64String(MD5.HashData(body));
        }
        _signer.SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex(body));
        return await _wire.SendAsync(request);
    }

    private static XName S3(string name) => XName.Get(name, S3Namespace);

    /// <summary>A configuration as comparable text: every rule's fields and filter, through the SDK's model.</summary>
    private static string Describe(LifecycleConfiguration configuration) => string.Join("\n", configuration.Rules.Select(static rule =>
        $"{rule.Id}|{rule.Status}|{DescribeFilter(rule.Filter?.LifecycleFilterPredicate)}|" +
        $"exp {rule.Expiration?.Days} {rule.Expiration?.Date?.ToUniversalTime():O} {rule.Expiration?.ExpiredObjectDeleteMarker}|" +
        $"nc {rule.NoncurrentVersionExpiration?.NoncurrentDays} {rule.NoncurrentVersionExpiration?.NewerNoncurrentVersions}|" +
        $"abort {rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation}"));

    private static string DescribeFilter(LifecycleFilterPredicate? predicate) => predicate switch
    {
        null => "all",
        LifecyclePrefixPredicate prefix => $"prefix {prefix.Prefix}",
        LifecycleTagPredicate tag => $"tag {tag.Tag.Key}={tag.Tag.Value}",
        LifecycleObjectSizeGreaterThanPredicate above => $"> {above.ObjectSizeGreaterThan}",
        LifecycleObjectSizeLessThanPredicate below => $"< {below.ObjectSizeLessThan}",
        LifecycleAndOperator and => $"and({string.Join(", ", and.Operands.Select(DescribeFilter))})",
        _ => predicate.GetType().Name,
    };
}
