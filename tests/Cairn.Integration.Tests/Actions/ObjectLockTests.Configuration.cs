using System.Net;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;

namespace Cairn.Integration.Tests.Actions;

/// <summary>Lock-enabled buckets, PutObjectLockConfiguration and GetObjectLockConfiguration.</summary>
public sealed partial class ObjectLockTests
{
    [Fact(Timeout = 30_000)]
    public async Task CreateBucket_with_object_lock_enables_versioning_and_a_configuration_without_a_rule()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("lock");

        // Act
        await _s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = true });
        var versioning = await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        var configuration = await GetLockConfigurationAsync(bucket);
        var raw = await SendSignedAsync("GET", WireSigner.PathOf(bucket), "object-lock", [], Integrity.None);

        // Assert
        Assert.Equal(VersionStatus.Enabled, versioning.VersioningConfig.Status);
        Assert.Equal(ObjectLockEnabled.Enabled, configuration.ObjectLockEnabled);
        Assert.Null(configuration.Rule?.DefaultRetention);
        Assert.True(raw.Status == 200, raw.ToString());
        var root = XDocument.Parse(raw.BodyText).Root!;
        Assert.Equal(XName.Get("ObjectLockConfiguration", S3Namespace), root.Name);
        Assert.Equal("Enabled", root.Element(XName.Get("ObjectLockEnabled", S3Namespace))?.Value);
        Assert.Null(root.Element(XName.Get("Rule", S3Namespace)));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetObjectLockConfiguration_of_a_bucket_without_lock_returns_ObjectLockConfigurationNotFoundError()
    {
        // Arrange
        var plain = await _s3.NewBucketAsync();

        // Act
        var error = await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = plain }),
            HttpStatusCode.NotFound, "ObjectLockConfigurationNotFoundError");

        // Assert
        Assert.Equal("Object Lock configuration does not exist for this bucket", error.Message);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("GOVERNANCE", 1, null)]
    [InlineData("COMPLIANCE", 36500, null)]
    [InlineData("GOVERNANCE", null, 1)]
    [InlineData("COMPLIANCE", null, 100)]
    public async Task PutObjectLockConfiguration_stores_a_default_retention_that_GetObjectLockConfiguration_returns(string mode, int? days, int? years)
    {
        // Arrange
        var bucket = await NewLockBucketAsync();

        // Act
        await PutLockConfigurationAsync(bucket, ObjectLockRetentionMode.FindValue(mode), days, years);
        var stored = await GetDefaultRetentionAsync(bucket);
        var raw = await SendSignedAsync("GET", WireSigner.PathOf(bucket), "object-lock", [], Integrity.None);

        // Assert
        Assert.Equal((mode, days, years), stored);
        var retention = XDocument.Parse(raw.BodyText).Root!.Element(XName.Get("Rule", S3Namespace))?.Element(XName.Get("DefaultRetention", S3Namespace));
        Assert.NotNull(retention);
        Assert.Equal([("Mode", mode), days is null ? ("Years", $"{years}") : ("Days", $"{days}")],
            retention.Elements().Select(static e => (e.Name.LocalName, e.Value)).OrderByDescending(static e => e.LocalName == "Mode"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObjectLockConfiguration_without_a_rule_removes_the_default_retention_and_keeps_the_lock()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 3);

        // Act
        await PutLockConfigurationAsync(bucket, mode: null);
        var stored = await GetDefaultRetentionAsync(bucket);
        var put = await _s3.PutTextAsync(bucket, "k", "after");

        // Assert
        Assert.Null(stored);
        Assert.Null(await GetRetentionAsync(bucket, "k", put.VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObjectLockConfiguration_on_a_versioning_enabled_bucket_without_lock_enables_the_lock()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });

        // Act
        await PutLockConfigurationAsync(bucket, ObjectLockRetentionMode.Governance, days: 2);
        var stored = await GetDefaultRetentionAsync(bucket);
        var put = await _s3.PutTextAsync(bucket, "k", "v");
        var retention = await GetRetentionAsync(bucket, "k", put.VersionId);
        var suspend = await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
        }), HttpStatusCode.Conflict, "InvalidBucketState");

        // Assert
        Assert.Equal(("GOVERNANCE", 2, (int?)null), stored);
        Assert.Equal("GOVERNANCE", retention?.Mode);
        Assert.Equal("InvalidBucketState", suspend.ErrorCode);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null)]
    [InlineData("Suspended")]
    public async Task PutObjectLockConfiguration_on_a_bucket_whose_versioning_is_not_enabled_returns_InvalidBucketState_and_changes_nothing(string? versioning)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        if (versioning is not null)
        {
            await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = bucket,
                VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.FindValue(versioning) },
            });
        }

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutLockConfigurationAsync(bucket, ObjectLockRetentionMode.Governance, days: 1), HttpStatusCode.Conflict, "InvalidBucketState");

        // Assert
        await ActionTestExtensions.AssertS3ErrorAsync(
            () => _s3.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucket }),
            HttpStatusCode.NotFound, "ObjectLockConfigurationNotFoundError");
        var status = await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        Assert.Equal(versioning ?? "Off", status.VersioningConfig.Status?.Value ?? "Off");
    }

    [Fact(Timeout = 30_000)]
    public async Task Suspending_versioning_on_a_lock_enabled_bucket_returns_InvalidBucketState_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 1);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
        }), HttpStatusCode.Conflict, "InvalidBucketState");
        var first = await _s3.PutTextAsync(bucket, "k", "1");
        var second = await _s3.PutTextAsync(bucket, "k", "2");

        // Assert
        var status = await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        Assert.Equal(VersionStatus.Enabled, status.VersioningConfig.Status);
        Assert.Equal(("GOVERNANCE", 1, (int?)null), await GetDefaultRetentionAsync(bucket));
        Assert.NotEqual("null", first.VersionId);
        Assert.Equal([second.VersionId, first.VersionId], (await VersionsAsync(bucket)).Select(static v => v.VersionId));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null, "GOVERNANCE", 1, null, 400, "MalformedXML")]
    [InlineData("Disabled", "GOVERNANCE", 1, null, 400, "MalformedXML")]
    [InlineData("Enabled", "GOVERNANCE", 1, 1, 400, "MalformedXML")]
    [InlineData("Enabled", "GOVERNANCE", null, null, 400, "MalformedXML")]
    [InlineData("Enabled", "FOREVER", 1, null, 400, "MalformedXML")]
    [InlineData("Enabled", "GOVERNANCE", 0, null, 400, "InvalidArgument")]
    [InlineData("Enabled", "COMPLIANCE", -1, null, 400, "InvalidArgument")]
    [InlineData("Enabled", "GOVERNANCE", null, 0, 400, "InvalidArgument")]
    [InlineData("Enabled", "COMPLIANCE", 36501, null, 400, "InvalidArgument")]
    [InlineData("Enabled", "GOVERNANCE", null, 101, 400, "InvalidArgument")]
    public async Task PutObjectLockConfiguration_with_a_bad_configuration_returns_an_S3_error_and_changes_nothing(
        string? enabled, string mode, int? days, int? years, int status, string code)
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Compliance, days: 7);

        // Act
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
        {
            BucketName = bucket,
            ObjectLockConfiguration = new ObjectLockConfiguration
            {
                ObjectLockEnabled = enabled is null ? null : ObjectLockEnabled.FindValue(enabled),
                Rule = new ObjectLockRule
                {
                    DefaultRetention = new DefaultRetention { Mode = ObjectLockRetentionMode.FindValue(mode), Days = days, Years = years },
                },
            },
        }), (HttpStatusCode)status, code);

        // Assert
        Assert.Equal(("COMPLIANCE", 7, (int?)null), await GetDefaultRetentionAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObjectLockConfiguration_with_XML_that_is_not_well_formed_returns_MalformedXML_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 5);
        var xml = $"<ObjectLockConfiguration xmlns=\"{S3Namespace}\"><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule>";

        // Act
        var response = await SendXmlAsync("PUT", WireSigner.PathOf(bucket), "object-lock", xml, Integrity.ContentMd5);

        // Assert
        S3ErrorAssert.Error(response, 400, "MalformedXML");
        Assert.Equal(("GOVERNANCE", 5, (int?)null), await GetDefaultRetentionAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObjectLockConfiguration_on_a_missing_bucket_returns_NoSuchBucket()
    {
        // Arrange
        var bucket = CairnServer.NewBucketName("absent");

        // Act
        var error = await ActionTestExtensions.AssertS3ErrorAsync(
            () => PutLockConfigurationAsync(bucket, ObjectLockRetentionMode.Governance, days: 1), HttpStatusCode.NotFound, "NoSuchBucket");

        // Assert
        Assert.Equal("NoSuchBucket", error.ErrorCode);
        await ActionTestExtensions.AssertS3StatusAsync(() => _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }),
            HttpStatusCode.NotFound);
    }
}
