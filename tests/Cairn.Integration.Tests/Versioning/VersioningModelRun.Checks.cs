using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>The reads that compare the server with the model: GET and HEAD, current and by version id, ListObjectVersions, GetBucketVersioning.</summary>
internal sealed partial class VersioningModelRun
{
    private static readonly string[] Prefixes = ["", "", "a", "a/"];
    private static readonly int[] PageSizes = [1, 2, 3, 5, 1000];

    /// <summary>What is being checked, for the failure message.</summary>
    private string _check = "";

    /// <summary>After an operation: the touched keys' current versions, a couple of their versions by id, and now and then an id they do not have.</summary>
    private async Task CheckKeysAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys.Distinct())
        {
            await CheckReadAsync(key, versionId: null, head: false);
            if (_random.Next(100) < 30)
            {
                await CheckReadAsync(key, versionId: null, head: true);
            }
            if (PickVersionOf(key) is { } versionId)
            {
                await CheckReadAsync(key, versionId, head: false);
                await CheckReadAsync(key, PickVersionOf(key)!, head: true);
            }
            if (_random.Next(100) < 15)
            {
                var missing = PickMissingVersionId(key);
                await CheckReadAsync(key, missing, head: false);
                await CheckReadAsync(key, missing, head: true);
            }
            if (objectLock != ObjectLockScenario.None)
            {
                await CheckLockReadsAsync(key, _random.Next(100) < 25 ? null : PickVersionOf(key));
            }
        }
    }

    /// <summary>Every key and every version, GET and HEAD, a whole listing and the versioning status.</summary>
    private async Task CheckEverythingAsync()
    {
        await CheckBucketVersioningAsync();
        if (objectLock != ObjectLockScenario.None)
        {
            await CheckObjectLockConfigurationAsync();
        }
        await CheckListingAsync(prefix: "", maxKeys: 1000);
        foreach (var key in KeyNames)
        {
            await CheckReadAsync(key, versionId: null, head: false);
            await CheckReadAsync(key, versionId: null, head: true);
            foreach (var version in _model.Versions(key).ToArray())
            {
                await CheckReadAsync(key, version.VersionId, head: false);
                await CheckReadAsync(key, version.VersionId, head: true);
                if (objectLock != ObjectLockScenario.None)
                {
                    await CheckLockReadsAsync(key, version.VersionId);
                }
            }
            foreach (var removed in _model.RemovedIds(key).Take(2))
            {
                await CheckReadAsync(key, removed, head: false);
                await CheckReadAsync(key, removed, head: true);
            }
        }
    }

    private async Task CheckBucketVersioningAsync()
    {
        _check = "GetBucketVersioning";
        var response = await s3.GetBucketVersioningAsync(bucket);
        var expected = _model.State switch
        {
            // A bucket that never had versioning answers with no Status element, which the SDK reads as Off.
            BucketVersioning.Unversioned => VersionStatus.Off,
            BucketVersioning.Enabled => VersionStatus.Enabled,
            _ => VersionStatus.Suspended,
        };
        Assert.Equal(expected, response.VersioningConfig.Status);
    }

    /// <summary>GET or HEAD of the current version (<paramref name="versionId"/> null) or of a version id.</summary>
    private async Task CheckReadAsync(string key, string? versionId, bool head)
    {
        if (head && versionId is not null && deviations.HeadByVersionIdOnlyWhenEnabled && _model.State != BucketVersioning.Enabled)
        {
            return;
        }
        _check = $"{(head ? "HEAD" : "GET")} {key}{(versionId is null ? "" : "?versionId=" + versionId)}";
        var expected = versionId is null ? _model.ReadCurrent(key) : _model.ReadVersion(key, versionId);
        if (expected.Served is { } served)
        {
            if (head)
            {
                var response = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key, VersionId = versionId });
                Assert.Equal((served.ETag, (long)served.Body!.Length), (response.ETag, response.ContentLength));
                AssertVersionIdHeader(served, response.VersionId, _check);
                if (objectLock != ObjectLockScenario.None)
                {
                    AssertLockHeaders(served);
                }
            }
            else
            {
                using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, VersionId = versionId });
                Assert.Equal(served.Body, await Actions.ActionTestExtensions.ReadAllAsync(response));
                Assert.Equal(served.ETag, response.ETag);
                AssertVersionIdHeader(served, response.VersionId, _check);
                if (objectLock != ObjectLockScenario.None)
                {
                    AssertLockHeaders(served);
                }
            }
            return;
        }
        var error = head
            ? await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key, VersionId = versionId }))
            : await Assert.ThrowsAnyAsync<AmazonS3Exception>(async () =>
            {
                using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, VersionId = versionId });
            });
        AssertReadError(expected, error, head, byVersionId: versionId is not null);
    }

    /// <summary>The status (and for GET, the code) of a failed read, and the headers AWS documents with it.</summary>
    private void AssertReadError(ReadExpectation expected, AmazonS3Exception error, bool head, bool byVersionId)
    {
        var (status, code) = (expected.Status, expected.ErrorCode);
        if (!head && status == HttpStatusCode.MethodNotAllowed && deviations.MarkerVersionReadIsNoSuchVersion)
        {
            (status, code) = (HttpStatusCode.NotFound, "NoSuchVersion");
        }
        Assert.Equal(status, error.StatusCode);
        if (!head)
        {
            // A HEAD error has no body, so no code.
            Assert.True(error.ErrorCode == code || (expected.OtherErrorCode is not null && error.ErrorCode == expected.OtherErrorCode),
                $"error code {error.ErrorCode}, expected {code}{(expected.OtherErrorCode is null ? "" : " or " + expected.OtherErrorCode)}");
        }
        var last = wire.Last!;
        if (expected.DeleteMarkerHeader && !byVersionId && !(deviations.NoDeleteMarkerHeaderOnGet && !head))
        {
            // GetObject / HeadObject: "If the current version of the object is a delete marker, Amazon S3 behaves
            // as if the object was deleted and includes x-amz-delete-marker: true in the response."
            Assert.Equal("true", last.Header("x-amz-delete-marker"));
        }
        if (status == HttpStatusCode.MethodNotAllowed && !deviations.NoLastModifiedOn405)
        {
            // "... the response returns a 405 Method Not Allowed error and the Last-Modified: timestamp response header."
            Assert.NotNull(last.Header("last-modified"));
        }
    }

    /// <summary>x-amz-version-id of a version read or copied: its id; for the null version none or "null".</summary>
    private static void AssertVersionIdHeader(ModelVersion served, string? actual, string what)
    {
        if (served.IsNull)
        {
            Assert.True(actual is null or ModelVersion.NullId, $"{what}: version id '{actual}' for the null version");
        }
        else
        {
            Assert.Equal(served.VersionId, actual);
        }
    }

    /// <summary>ListObjectVersions through every page (a random page size and prefix unless given), compared with the model.</summary>
    private async Task CheckListingAsync(string? prefix = null, int? maxKeys = null)
    {
        prefix ??= Prefixes[_random.Next(Prefixes.Length)];
        var expected = _model.List(prefix);
        var pageSize = maxKeys ?? PageSizes[_random.Next(PageSizes.Length)];
        if (expected.Count / pageSize > 25)
        {
            pageSize = 1000; // bounded: no more than a few dozen pages per listing
        }
        _check = $"ListObjectVersions prefix '{prefix}' max-keys {pageSize}";
        var actual = new List<ListedVersion>();
        var request = new ListVersionsRequest { BucketName = bucket, Prefix = prefix.Length == 0 ? null : prefix, MaxKeys = pageSize };
        var pageLimit = (expected.Count / pageSize) + 3;
        for (var page = 0; ; page++)
        {
            Assert.True(page < pageLimit, $"{_check}: more than {pageLimit} pages for {expected.Count} entries");
            var response = await s3.ListVersionsAsync(request);
            var entries = response.Versions ?? [];
            Assert.True(entries.Count <= pageSize, $"{_check}: a page of {entries.Count} entries");
            actual.AddRange(entries.Select(static v => v.IsDeleteMarker == true
                ? new ListedVersion(v.Key, v.VersionId, v.IsLatest == true, IsDeleteMarker: true, null, null)
                : new ListedVersion(v.Key, v.VersionId, v.IsLatest == true, IsDeleteMarker: false, v.ETag, v.Size)));
            if (response.IsTruncated != true)
            {
                break;
            }
            // Without a delimiter a truncated page ends on a version, so both markers are set.
            Assert.True(entries.Count > 0, $"{_check}: a truncated page with no entries");
            Assert.False(string.IsNullOrEmpty(response.NextKeyMarker), $"{_check}: truncated without NextKeyMarker");
            Assert.False(string.IsNullOrEmpty(response.NextVersionIdMarker), $"{_check}: truncated without NextVersionIdMarker");
            request.KeyMarker = response.NextKeyMarker;
            request.VersionIdMarker = response.NextVersionIdMarker;
        }
        if (deviations.ListsMarkersAfterVersions)
        {
            AssertSameListing(expected.Where(static v => !v.IsDeleteMarker), actual.Where(static v => !v.IsDeleteMarker));
            AssertSameListing(expected.Where(static v => v.IsDeleteMarker), actual.Where(static v => v.IsDeleteMarker));
        }
        else
        {
            AssertSameListing(expected, actual);
        }
    }

    private static void AssertSameListing(IEnumerable<ListedVersion> expected, IEnumerable<ListedVersion> actual) =>
        Assert.Equal(string.Join(Environment.NewLine, expected), string.Join(Environment.NewLine, actual));
}
