using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>The deletes of a run: DeleteObject without and with a version id, and DeleteObjects batches (with the lock rules in lock runs).</summary>
internal sealed partial class VersioningModelRun
{
    /// <summary>DeleteObject without a version id.</summary>
    private async Task<string[]> DeleteCurrentAsync()
    {
        var key = PickKey();
        if (deviations.NoMarkerForKeyWithoutVersions && _model.State == BucketVersioning.Enabled && _model.Versions(key).Count == 0)
        {
            if (!_model.Keys.Any())
            {
                return await PutAsync(key);
            }
            key = PickKey(preferWithVersions: true, always: true);
        }
        Trace($"DELETE {key}");
        var response = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key });
        var markerHeader = wire.Last?.Header("x-amz-delete-marker");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.HttpStatusCode);
        AssertSimpleDeleteAnswer(key, markerHeader == "true", response.VersionId, "DeleteObject");
        Trace($"  -> {_model.DeleteCurrent(key, response.VersionId)?.ToString() ?? "no marker"}");
        return [key];
    }

    /// <summary>
    /// DeleteObject with a version id: an existing version or delete marker, or a well-formed id the key does not
    /// have. In a lock run, with or without x-amz-bypass-governance-retention; a locked version is refused with 403
    /// AccessDenied and stays. A version whose retention is about to pass is not picked.
    /// </summary>
    private async Task<string[]> DeleteVersionAsync(string? chosenKey = null, string? chosenVersionId = null)
    {
        var bypass = chosenKey is null && objectLock != ObjectLockScenario.None && _random.Next(100) < 40;
        var (key, versionId) = chosenKey is null ? PickVersionToDelete() : (chosenKey, chosenVersionId!);
        var decision = _model.DeleteVersionDecision(key, versionId, bypass, DateTime.UtcNow);
        for (var retry = 0; retry < 5 && decision == LockDecision.Uncertain; retry++)
        {
            (key, versionId) = PickVersionToDelete();
            decision = _model.DeleteVersionDecision(key, versionId, bypass, DateTime.UtcNow);
        }
        if (decision == LockDecision.Uncertain)
        {
            return [key];
        }
        var existing = _model.Versions(key).FirstOrDefault(v => v.VersionId == versionId);
        Trace($"DELETE {key}?versionId={versionId}{(bypass ? " bypass-governance" : "")} ({existing?.ToString() ?? "not there"})");
        NoteExpiredRetention(existing);
        var request = new DeleteObjectRequest { BucketName = bucket, Key = key, VersionId = versionId, BypassGovernanceRetention = bypass ? true : null };
        if (decision == LockDecision.Denied)
        {
            // "Access Denied because object protected by object lock."
            await AssertRefusedAsync(ExpectedAnswer.Error(System.Net.HttpStatusCode.Forbidden, "AccessDenied"), () => s3.DeleteObjectAsync(request));
            return [key];
        }
        var response = await s3.DeleteObjectAsync(request);
        var markerHeader = wire.Last?.Header("x-amz-delete-marker");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.HttpStatusCode);
        if (existing is not null)
        {
            AssertVersionIdHeader(existing, response.VersionId, "DeleteObject x-amz-version-id");
            if (!existing.IsDeleteMarker || !deviations.NoDeleteMarkerFlagOnVersionDelete)
            {
                Assert.True(existing.IsDeleteMarker == (markerHeader == "true"),
                    $"x-amz-delete-marker: {markerHeader ?? "(absent)"} after deleting {existing} by version id");
            }
        }
        _model.RemoveVersion(key, versionId);
        return [key];
    }

    /// <summary>
    /// DeleteObjects of one to three distinct keys, each with or without a version id. In a lock run, with or
    /// without x-amz-bypass-governance-retention: an entry naming a locked version is an Error entry with Code
    /// AccessDenied and the version stays; versions whose retention is about to pass are left out.
    /// </summary>
    private async Task<string[]> DeleteObjectsAsync()
    {
        var count = 1 + _random.Next(3);
        var bypass = objectLock != ObjectLockScenario.None && _random.Next(100) < 40;
        var now = DateTime.UtcNow;
        var entries = new List<(string Key, string? VersionId)>();
        var refused = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in KeyNames.OrderBy(_ => _random.Next()).Take(count))
        {
            if (_random.Next(2) == 0 && PickVersionOf(key) is { } versionId)
            {
                var decision = _model.DeleteVersionDecision(key, versionId, bypass, now);
                if (decision == LockDecision.Uncertain)
                {
                    continue;
                }
                if (decision == LockDecision.Denied)
                {
                    refused.Add(key);
                }
                entries.Add((key, versionId));
            }
            else if (!(deviations.NoMarkerForKeyWithoutVersions && _model.State == BucketVersioning.Enabled && _model.Versions(key).Count == 0))
            {
                entries.Add((key, null));
            }
        }
        if (entries.Count == 0)
        {
            return await PutAsync(PickKey());
        }
        Trace($"DELETE-OBJECTS {string.Join(", ", entries.Select(static e => e.VersionId is null ? e.Key : $"{e.Key}?versionId={e.VersionId}"))}{(bypass ? " bypass-governance" : "")}");
        var request = new DeleteObjectsRequest
        {
            BucketName = bucket,
            BypassGovernanceRetention = bypass ? true : null,
            Objects = [.. entries.Select(static e => new KeyVersion { Key = e.Key, VersionId = e.VersionId })],
        };
        DeleteObjectsResponse response;
        try
        {
            response = await s3.DeleteObjectsAsync(request);
        }
        catch (DeleteObjectsException ex) when (refused.Count > 0)
        {
            // The SDK throws when the answer has Error entries; the answer itself is a 200.
            response = ex.Response;
        }
        var errors = response.DeleteErrors ?? [];
        Assert.Equal(
            entries.Where(e => refused.Contains(e.Key)).Select(static e => $"{e.Key} {e.VersionId} AccessDenied").Order(StringComparer.Ordinal),
            errors.Select(static e => $"{e.Key} {e.VersionId} {e.Code}").Order(StringComparer.Ordinal));
        foreach (var error in errors)
        {
            TraceRefusal(403, error.Code);
        }
        var deleted = response.DeletedObjects ?? [];
        Assert.Equal(entries.Where(e => !refused.Contains(e.Key)).Select(static e => e.Key).Order(StringComparer.Ordinal),
            deleted.Select(static d => d.Key).Order(StringComparer.Ordinal));
        foreach (var (key, versionId) in entries.Where(e => !refused.Contains(e.Key)))
        {
            var result = deleted.Single(d => d.Key == key);
            if (versionId is null)
            {
                AssertSimpleDeleteAnswer(key, result.DeleteMarker == true, result.DeleteMarkerVersionId, "DeleteObjects entry");
                Trace($"  {key} -> {_model.DeleteCurrent(key, result.DeleteMarkerVersionId)?.ToString() ?? "no marker"}");
                continue;
            }
            var existing = _model.RemoveVersion(key, versionId);
            if (versionId == ModelVersion.NullId)
            {
                Assert.True(result.VersionId is null or ModelVersion.NullId, $"DeleteObjects entry {key}?versionId=null answered version id '{result.VersionId}'");
            }
            else
            {
                Assert.Equal(versionId, result.VersionId);
            }
            if (existing is { IsDeleteMarker: true } && !deviations.NoDeleteMarkerFlagOnVersionDelete)
            {
                // DeletedObject: DeleteMarker tells whether the version deleted was a delete marker, and
                // DeleteMarkerVersionId is "the version ID of the object version deleted" then.
                Assert.True(result.DeleteMarker == true, $"DeleteMarker not set for {key} after deleting its delete marker {versionId}");
                Assert.Equal(versionId, result.DeleteMarkerVersionId);
            }
            else if (existing is { IsDeleteMarker: false })
            {
                Assert.True(result.DeleteMarker != true, $"DeleteMarker set for {key} after deleting object version {versionId}");
            }
        }
        return [.. entries.Select(static e => e.Key)];
    }
}
