using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// S3 Object Lock through the AWS SDK, with AWS as the reference
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html): lock-enabled buckets and
/// their configuration, the lock headers of PutObject, CopyObject and CreateMultipartUpload,
/// retention and legal hold by version, what a lock protects from deletion, and every bad input with
/// its S3 error code (nothing changed after it). The SDK always sends a checksum with these
/// requests, so the cases without Content-MD5 or a checksum go over the wire by hand.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed partial class ObjectLockTests(ServerFixture fixture) : IDisposable
{
    /// <summary>Has the form of a version id this server gives, but names no version.</summary>
    private const string AbsentVersionId = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private readonly AmazonS3Client _s3 = fixture.Server.Client;
    private readonly WireClient _wire = new(fixture.Server.Endpoint);
    private readonly WireSigner _signer = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    public void Dispose() => _wire.Dispose();

    /// <summary>How a hand-made request proves the integrity of its body (public: theories take it).</summary>
    public enum Integrity
    {
        None,
        ContentMd5,
        ChecksumSha256,
        WrongContentMd5,
        WrongChecksumSha256,
    }

    /// <summary>A whole-second UTC time <paramref name="ahead"/> of now (S3 dates round-trip exactly at that precision).</summary>
    private static DateTime FromNow(TimeSpan ahead)
    {
        var time = DateTime.UtcNow + ahead;
        return new DateTime(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private static DateTime Utc(DateTime? time)
    {
        Assert.NotNull(time);
        return time.Value.Kind == DateTimeKind.Local ? time.Value.ToUniversalTime() : DateTime.SpecifyKind(time.Value, DateTimeKind.Utc);
    }

    /// <summary>The form S3 writes dates in on the lock headers, e.g. 2027-01-01T00:00:00.000Z.</summary>
    private static string Iso8601(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Asserts <paramref name="actual"/> is within a second of <paramref name="expected"/> (Last-Modified has whole seconds).</summary>
    private static void AssertWithinASecond(DateTime expected, DateTime? actual)
    {
        var difference = (Utc(actual) - expected).Duration();
        Assert.True(difference <= TimeSpan.FromSeconds(1), $"expected {expected:O} within a second, got {Utc(actual):O}");
    }

    /// <summary>Creates a bucket with Object Lock enabled and, when given, a default retention.</summary>
    private async Task<string> NewLockBucketAsync(ObjectLockRetentionMode? mode = null, int? days = null, int? years = null)
    {
        var bucket = CairnServer.NewBucketName("lock");
        await _s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = true });
        if (mode is not null)
        {
            await PutLockConfigurationAsync(bucket, mode, days, years);
        }
        return bucket;
    }

    private Task<PutObjectLockConfigurationResponse> PutLockConfigurationAsync(string bucket, ObjectLockRetentionMode? mode, int? days = null, int? years = null) =>
        _s3.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
        {
            BucketName = bucket,
            ObjectLockConfiguration = new ObjectLockConfiguration
            {
                ObjectLockEnabled = ObjectLockEnabled.Enabled,
                Rule = mode is null ? null : new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = mode, Days = days, Years = years } },
            },
        });

    private async Task<ObjectLockConfiguration> GetLockConfigurationAsync(string bucket) =>
        (await _s3.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucket })).ObjectLockConfiguration;

    /// <summary>The default retention as (mode, days, years), or null when the configuration has none.</summary>
    private async Task<(string Mode, int? Days, int? Years)?> GetDefaultRetentionAsync(string bucket)
    {
        var configuration = await GetLockConfigurationAsync(bucket);
        Assert.Equal(ObjectLockEnabled.Enabled, configuration.ObjectLockEnabled);
        return configuration.Rule?.DefaultRetention is { } retention
            ? (retention.Mode?.Value ?? "", retention.Days is 0 ? null : retention.Days, retention.Years is 0 ? null : retention.Years)
            : null;
    }

    private Task<PutObjectResponse> PutLockedAsync(string bucket, string key, ObjectLockMode? mode, DateTime? until,
        ObjectLockLegalHoldStatus? legalHold = null, string body = "locked") =>
        _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            ContentBody = body,
            ObjectLockMode = mode,
            ObjectLockRetainUntilDate = until,
            ObjectLockLegalHoldStatus = legalHold,
        });

    private Task<PutObjectRetentionResponse> PutRetentionAsync(string bucket, string key, string? versionId,
        ObjectLockRetentionMode mode, DateTime until, bool bypass = false) =>
        _s3.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = bucket,
            Key = key,
            VersionId = versionId,
            Retention = new ObjectLockRetention { Mode = mode, RetainUntilDate = until },
            BypassGovernanceRetention = bypass ? true : null,
        });

    /// <summary>The version's retention as (mode, retain-until), or null when it has none (404 NoSuchObjectLockConfiguration).</summary>
    private async Task<(string Mode, DateTime Until)?> GetRetentionAsync(string bucket, string key, string? versionId)
    {
        try
        {
            var response = await _s3.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = key, VersionId = versionId });
            return (response.Retention.Mode.Value, Utc(response.Retention.RetainUntilDate));
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchObjectLockConfiguration")
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
            return null;
        }
    }

    private Task<PutObjectLegalHoldResponse> PutLegalHoldAsync(string bucket, string key, string? versionId, ObjectLockLegalHoldStatus status) =>
        _s3.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
        {
            BucketName = bucket,
            Key = key,
            VersionId = versionId,
            LegalHold = new ObjectLockLegalHold { Status = status },
        });

    /// <summary>The version's legal hold status (ON/OFF), or null when it was never set (404 NoSuchObjectLockConfiguration).</summary>
    private async Task<string?> GetLegalHoldAsync(string bucket, string key, string? versionId)
    {
        try
        {
            var response = await _s3.GetObjectLegalHoldAsync(new GetObjectLegalHoldRequest { BucketName = bucket, Key = key, VersionId = versionId });
            return response.LegalHold.Status.Value;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchObjectLockConfiguration")
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
            return null;
        }
    }

    /// <summary>The (key, version id, is delete marker) of every version in the bucket, newest first per key.</summary>
    private async Task<List<(string Key, string VersionId, bool IsDeleteMarker)>> VersionsAsync(string bucket)
    {
        var listing = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        return [.. (listing.Versions ?? []).Select(static v => (v.Key, v.VersionId, v.IsDeleteMarker == true))];
    }

    /// <summary>The entries of the bucket's change journal, oldest first.</summary>
    private async Task<IReadOnlyList<JournalEntry>> JournalAsync(string bucket) =>
        await fixture.Server.Services.GetRequiredService<IObjectCatalog>().ReadJournalAsync(bucket, 0, 100_000, CancellationToken.None);

    private static string VersionQuery(string name, string? versionId) =>
        versionId is null ? name : name + "&versionId=" + WireSigner.UriEncode(versionId, keepSlash: false);

    /// <summary>
    /// Sends a request signed in the header form (payload hash signed), with <paramref name="body"/>
    /// and the integrity header <paramref name="integrity"/> asks for; <paramref name="configure"/>
    /// adds headers before signing.
    /// </summary>
    private async Task<WireResponse> SendSignedAsync(string method, string path, string query, byte[] body, Integrity integrity,
        Action<WireRequest>? configure = null)
    {
        var request = _wire.Request(method, path, query);
        request.Body = body;
        var md5 = MD5.HashData(body);
        var sha256 = SHA256.HashData(body);
        switch (integrity)
        {
            case Integrity.ContentMd5:
                request.Headers["content-md5"] = Convert.ToBase64String(md5);
                break;
            case Integrity.WrongContentMd5:
                md5[0] ^= 1;
                request.Headers["content-md5"] = Convert.ToBase64String(md5);
                break;
            case Integrity.ChecksumSha256:
                request.Headers["x-amz-checksum-sha256"] = Convert.ToBase64String(sha256);
                break;
            case Integrity.WrongChecksumSha256:
                sha256[0] ^= 1;
                request.Headers["x-amz-checksum-sha256"] = Convert.ToBase64String(sha256);
                break;
        }
        configure?.Invoke(request);
        _signer.SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex(body));
        return await _wire.SendAsync(request);
    }

    private Task<WireResponse> SendXmlAsync(string method, string path, string query, string xml, Integrity integrity,
        Action<WireRequest>? configure = null) =>
        SendSignedAsync(method, path, query, Encoding.UTF8.GetBytes(xml), integrity, configure);

    private static string RetentionXml(string mode, DateTime until) =>
        $"<Retention xmlns=\"{S3Namespace}\"><Mode>{mode}</Mode><RetainUntilDate>{Iso8601(until)}</RetainUntilDate></Retention>";

    private static string LegalHoldXml(string status) => $"<LegalHold xmlns=\"{S3Namespace}\"><Status>{status}</Status></LegalHold>";
}
