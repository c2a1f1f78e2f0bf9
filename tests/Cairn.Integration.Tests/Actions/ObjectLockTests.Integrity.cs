using System.Globalization;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// The Object Lock requests S3 accepts only with Content-MD5 or an x-amz-checksum-* value
/// (PutObjectLockConfiguration, PutObjectRetention, PutObjectLegalHold, and PutObject with lock
/// parameters), sent by hand since the SDK always adds a checksum.
/// </summary>
public sealed partial class ObjectLockTests
{
    private const string MissingIntegrityMessage = "Missing required header for this request: Content-MD5 OR x-amz-checksum-*";

    private static string ConfigurationXml(string mode, int days) =>
        $"<ObjectLockConfiguration xmlns=\"{S3Namespace}\"><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
        + $"<Rule><DefaultRetention><Mode>{mode}</Mode><Days>{days}</Days></DefaultRetention></Rule></ObjectLockConfiguration>";

    [Theory(Timeout = 30_000)]
    [InlineData(Integrity.ContentMd5)]
    [InlineData(Integrity.ChecksumSha256)]
    public async Task PutObjectLockConfiguration_with_Content_MD5_or_a_checksum_is_accepted(Integrity integrity)
    {
        // Arrange
        var bucket = await NewLockBucketAsync();

        // Act
        var response = await SendXmlAsync("PUT", WireSigner.PathOf(bucket), "object-lock", ConfigurationXml("COMPLIANCE", 4), integrity);

        // Assert
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal(("COMPLIANCE", 4, (int?)null), await GetDefaultRetentionAsync(bucket));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Integrity.None, "InvalidRequest")]
    [InlineData(Integrity.WrongContentMd5, "BadDigest")]
    [InlineData(Integrity.WrongChecksumSha256, "BadDigest")]
    public async Task PutObjectLockConfiguration_without_a_matching_Content_MD5_or_checksum_is_refused_and_changes_nothing(Integrity integrity, string code)
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 1);

        // Act
        var response = await SendXmlAsync("PUT", WireSigner.PathOf(bucket), "object-lock", ConfigurationXml("COMPLIANCE", 4), integrity);

        // Assert
        var error = S3ErrorAssert.Error(response, 400, code);
        if (integrity == Integrity.None)
        {
            Assert.Equal(MissingIntegrityMessage, error.Element("Message")?.Value);
        }
        Assert.Equal(("GOVERNANCE", 1, (int?)null), await GetDefaultRetentionAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObjectRetention_without_Content_MD5_or_a_checksum_returns_InvalidRequest_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(1));
        var put = await PutLockedAsync(bucket, "k", ObjectLockMode.Governance, until);
        var journal = await JournalAsync(bucket);
        var xml = RetentionXml("GOVERNANCE", until.AddDays(1));

        // Act
        var missing = await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("retention", put.VersionId), xml, Integrity.None);
        var accepted = await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("retention", put.VersionId), xml, Integrity.ContentMd5);

        // Assert
        var error = S3ErrorAssert.Error(missing, 400, "InvalidRequest");
        Assert.Equal(MissingIntegrityMessage, error.Element("Message")?.Value);
        Assert.True(accepted.Status == 200, accepted.ToString());
        Assert.Equal(("GOVERNANCE", until.AddDays(1)), await GetRetentionAsync(bucket, "k", put.VersionId));
        Assert.Equal(journal.Count + 1, (await JournalAsync(bucket)).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObjectLegalHold_without_Content_MD5_or_a_checksum_returns_InvalidRequest_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var put = await _s3.PutTextAsync(bucket, "k", "v");

        // Act
        var missing = await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("legal-hold", put.VersionId), LegalHoldXml("ON"), Integrity.None);
        var unchanged = await GetLegalHoldAsync(bucket, "k", put.VersionId);
        var accepted = await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("legal-hold", put.VersionId), LegalHoldXml("ON"),
            Integrity.ChecksumSha256);

        // Assert
        var error = S3ErrorAssert.Error(missing, 400, "InvalidRequest");
        Assert.Equal(MissingIntegrityMessage, error.Element("Message")?.Value);
        Assert.Null(unchanged);
        Assert.True(accepted.Status == 200, accepted.ToString());
        Assert.Equal("ON", await GetLegalHoldAsync(bucket, "k", put.VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_lock_headers_and_no_Content_MD5_or_checksum_returns_InvalidRequest_and_stores_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var until = FromNow(TimeSpan.FromDays(1));
        void LockHeaders(WireRequest request)
        {
            request.Headers["x-amz-object-lock-mode"] = "GOVERNANCE";
            request.Headers["x-amz-object-lock-retain-until-date"] = Iso8601(until);
        }

        // Act
        var missing = await SendSignedAsync("PUT", WireSigner.PathOf(bucket, "k"), "", "body"u8.ToArray(), Integrity.None, LockHeaders);
        var legalHoldOnly = await SendSignedAsync("PUT", WireSigner.PathOf(bucket, "h"), "", "body"u8.ToArray(), Integrity.None,
            static request => request.Headers["x-amz-object-lock-legal-hold"] = "ON");
        var versionsAfterRefusal = await VersionsAsync(bucket);
        var accepted = await SendSignedAsync("PUT", WireSigner.PathOf(bucket, "k"), "", "body"u8.ToArray(), Integrity.ContentMd5, LockHeaders);

        // Assert
        S3ErrorAssert.Error(missing, 400, "InvalidRequest");
        S3ErrorAssert.Error(legalHoldOnly, 400, "InvalidRequest");
        Assert.Empty(versionsAfterRefusal);
        Assert.True(accepted.Status == 200, accepted.ToString());
        Assert.Equal(("GOVERNANCE", until), await GetRetentionAsync(bucket, "k", accepted.Header("x-amz-version-id")));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_to_a_bucket_with_a_default_retention_and_no_Content_MD5_or_checksum_returns_InvalidRequest_and_stores_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Governance, days: 1);

        // Act
        var missing = await SendSignedAsync("PUT", WireSigner.PathOf(bucket, "k"), "", "body"u8.ToArray(), Integrity.None);
        var versionsAfterRefusal = await VersionsAsync(bucket);
        var accepted = await SendSignedAsync("PUT", WireSigner.PathOf(bucket, "k"), "", "body"u8.ToArray(), Integrity.ChecksumSha256);

        // Assert
        S3ErrorAssert.Error(missing, 400, "InvalidRequest");
        Assert.Empty(versionsAfterRefusal);
        Assert.True(accepted.Status == 200, accepted.ToString());
        Assert.Equal("GOVERNANCE", (await GetRetentionAsync(bucket, "k", accepted.Header("x-amz-version-id")))?.Mode);
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_without_lock_parameters_needs_no_Content_MD5_in_a_lock_enabled_bucket()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();

        // Act
        var response = await SendSignedAsync("PUT", WireSigner.PathOf(bucket, "k"), "", "body"u8.ToArray(), Integrity.None);

        // Assert
        Assert.True(response.Status == 200, response.ToString());
        Assert.Null(await GetRetentionAsync(bucket, "k", response.Header("x-amz-version-id")));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_retain_until_date_that_is_not_ISO_8601_returns_InvalidArgument_and_stores_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();

        // Act
        var responses = new List<WireResponse>();
        foreach (var date in new[] { "tomorrow", "2099/01/01 00:00:00", "4102444800" })
        {
            responses.Add(await SendSignedAsync("PUT", WireSigner.PathOf(bucket, "k"), "", "body"u8.ToArray(), Integrity.ContentMd5, request =>
            {
                request.Headers["x-amz-object-lock-mode"] = "GOVERNANCE";
                request.Headers["x-amz-object-lock-retain-until-date"] = date;
            }));
        }

        // Assert
        Assert.All(responses, static response => S3ErrorAssert.Error(response, 400, "InvalidArgument"));
        Assert.Empty(await VersionsAsync(bucket));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_empty_Retention_with_the_bypass_header_removes_a_governance_retention()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var put = await _s3.PutTextAsync(bucket, "k", "v");
        await PutRetentionAsync(bucket, "k", put.VersionId, ObjectLockRetentionMode.Governance, FromNow(TimeSpan.FromDays(1)));

        // Act
        var response = await SendXmlAsync("PUT", WireSigner.PathOf(bucket, "k"), VersionQuery("retention", put.VersionId),
            $"<Retention xmlns=\"{S3Namespace}\"/>", Integrity.ContentMd5, static r => r.Headers["x-amz-bypass-governance-retention"] = "true");

        // Assert
        Assert.True(response.Status == 200, response.ToString());
        Assert.Null(await GetRetentionAsync(bucket, "k", put.VersionId));
        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k", VersionId = put.VersionId });
        Assert.Empty(await VersionsAsync(bucket));
    }

    /// <summary>PUTs <paramref name="xml"/> as aws-chunked with a trailing x-amz-checksum-crc32, as current SDKs send bodies.</summary>
    private async Task<WireResponse> SendWithTrailingChecksumAsync(string path, string query, string xml, bool wrongChecksum = false)
    {
        var body = Encoding.UTF8.GetBytes(xml);
        var checksum = Convert.FromBase64String(Crc32.Base64(body));
        if (wrongChecksum)
        {
            checksum[3] ^= 1;
        }
        var time = DateTimeOffset.UtcNow;
        var request = _wire.Request("PUT", path, query);
        request.Headers["content-encoding"] = "aws-chunked";
        request.Headers["x-amz-decoded-content-length"] = body.Length.ToString(CultureInfo.InvariantCulture);
        request.Headers["x-amz-trailer"] = "x-amz-checksum-crc32";
        request.Body = _signer.ChunkedBody([body], time, seedSignature: null, [("x-amz-checksum-crc32", Convert.ToBase64String(checksum))]);
        request.Headers["content-length"] = request.Body.Length.ToString(CultureInfo.InvariantCulture);
        _signer.SignHeaders(request, time, WireSigner.StreamingUnsignedTrailer);
        return await _wire.SendAsync(request);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_trailing_checksum_is_accepted_on_PutObjectLockConfiguration_PutObjectRetention_and_PutObjectLegalHold()
    {
        // Arrange
        var bucket = await NewLockBucketAsync();
        var put = await _s3.PutTextAsync(bucket, "k", "v");
        var until = FromNow(TimeSpan.FromDays(1));

        // Act
        var configuration = await SendWithTrailingChecksumAsync(WireSigner.PathOf(bucket), "object-lock", ConfigurationXml("GOVERNANCE", 6));
        var retention = await SendWithTrailingChecksumAsync(WireSigner.PathOf(bucket, "k"), VersionQuery("retention", put.VersionId),
            RetentionXml("COMPLIANCE", until));
        var legalHold = await SendWithTrailingChecksumAsync(WireSigner.PathOf(bucket, "k"), VersionQuery("legal-hold", put.VersionId), LegalHoldXml("ON"));

        // Assert
        Assert.True(configuration.Status == 200, configuration.ToString());
        Assert.True(retention.Status == 200, retention.ToString());
        Assert.True(legalHold.Status == 200, legalHold.ToString());
        Assert.Equal(("GOVERNANCE", 6, (int?)null), await GetDefaultRetentionAsync(bucket));
        Assert.Equal(("COMPLIANCE", until), await GetRetentionAsync(bucket, "k", put.VersionId));
        Assert.Equal("ON", await GetLegalHoldAsync(bucket, "k", put.VersionId));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_trailing_checksum_that_does_not_match_returns_BadDigest_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewLockBucketAsync(ObjectLockRetentionMode.Compliance, days: 2);
        var put = await _s3.PutTextAsync(bucket, "k", "v");
        var retentionBefore = await GetRetentionAsync(bucket, "k", put.VersionId);

        // Act
        var configuration = await SendWithTrailingChecksumAsync(WireSigner.PathOf(bucket), "object-lock", ConfigurationXml("GOVERNANCE", 6), wrongChecksum: true);
        var retention = await SendWithTrailingChecksumAsync(WireSigner.PathOf(bucket, "k"), VersionQuery("retention", put.VersionId),
            RetentionXml("COMPLIANCE", FromNow(TimeSpan.FromDays(30))), wrongChecksum: true);
        var legalHold = await SendWithTrailingChecksumAsync(WireSigner.PathOf(bucket, "k"), VersionQuery("legal-hold", put.VersionId),
            LegalHoldXml("ON"), wrongChecksum: true);

        // Assert
        Assert.Equal((400, 400, 400, ("COMPLIANCE", 2, (int?)null)), (configuration.Status, retention.Status, legalHold.Status, await GetDefaultRetentionAsync(bucket)));
        S3ErrorAssert.Error(configuration, 400, "BadDigest");
        S3ErrorAssert.Error(retention, 400, "BadDigest");
        S3ErrorAssert.Error(legalHold, 400, "BadDigest");
        Assert.Equal(("COMPLIANCE", 2, (int?)null), await GetDefaultRetentionAsync(bucket));
        Assert.Equal(retentionBefore, await GetRetentionAsync(bucket, "k", put.VersionId));
        Assert.Null(await GetLegalHoldAsync(bucket, "k", put.VersionId));
    }
}
