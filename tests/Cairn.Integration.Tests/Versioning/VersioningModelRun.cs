using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>
/// One seeded run: random puts, copies, deletes (with and without version id, one by one and in batches) and
/// versioning changes against a server, each mirrored in a <see cref="VersioningModel"/> and followed by reads
/// that compare the server with the model. A failure names the seed, the step and the operations before it.
/// With an <see cref="ObjectLockScenario"/>, Object Lock operations join in (VersioningModelRun.Lock.cs) and the
/// reads cover lock headers, retention and legal hold; <paramref name="bucket"/> must then have been created as
/// the scenario says.
/// </summary>
internal sealed partial class VersioningModelRun(IAmazonS3 s3, ResponseHeaderRecorder wire, string bucket, int seed, KnownDeviations deviations,
    ObjectLockScenario objectLock = ObjectLockScenario.None)
{
    /// <summary>Keys in UTF-8 byte order: "Z" &lt; "a" &lt; "a b" &lt; "a/b" &lt; "a/c" &lt; "é" (0xC3 0xA9), so prefixes "a" and "a/" select some.</summary>
    private static readonly string[] KeyNames = ["Z", "a", "a b", "a/b", "a/c", "é"];

    private static readonly byte[][] SharedBodies = [[], "shared body one"u8.ToArray(), "shared body two"u8.ToArray()];

    private readonly Random _random = new(seed);
    private readonly VersioningModel _model = NewModel(objectLock);
    private readonly List<string> _trace = [];
    private readonly Dictionary<string, int> _counts = [];
    private readonly Dictionary<string, int> _refusals = [];
    private int _step;

    /// <summary>Runs <paramref name="operations"/> operations, checking after each, and everything at the end.</summary>
    public async Task RunAsync(int operations)
    {
        try
        {
            for (_step = 0; _step < operations; _step++)
            {
                var touched = await OperateAsync();
                await CheckKeysAsync(touched);
                if (_step % 10 == 9)
                {
                    await CheckListingAsync();
                }
                if (_step % 50 == 49)
                {
                    await CheckEverythingAsync();
                }
            }
            _trace.Add("final check");
            await CheckEverythingAsync();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(Describe(ex), ex);
        }
    }

    private static VersioningModel NewModel(ObjectLockScenario objectLock)
    {
        var model = new VersioningModel();
        if (objectLock == ObjectLockScenario.AtCreation)
        {
            model.CreatedWithObjectLock();
        }
        return model;
    }

    /// <summary>Picks and runs one operation; returns the keys it touched.</summary>
    private async Task<string[]> OperateAsync()
    {
        _check = "the operation's answer";
        if (objectLock != ObjectLockScenario.None)
        {
            return await OperateWithLockAsync();
        }
        var state = _model.State;
        if (deviations.NoWritesWhileSuspended && state == BucketVersioning.Suspended)
        {
            return _random.Next(100) < 35 ? await SetVersioningAsync(BucketVersioning.Enabled) : [PickKey()];
        }
        var roll = _random.Next(100);
        return roll switch
        {
            < 30 => await PutAsync(PickKey()),
            < 40 => await CopyAsync(),
            < 52 => await DeleteCurrentAsync(),
            < 67 => await DeleteVersionAsync(),
            < 73 => await DeleteObjectsAsync(),
            < 77 => await SetVersioningAsync(PickState()),
            _ => [PickKey()],
        };
    }

    private async Task<string[]> PutAsync(string key)
    {
        var body = NextBody();
        var requested = PickRequestedLock();
        Trace($"PUT {key} ({body.Length} bytes){(requested is null ? "" : " " + requested)}");
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body) };
        SetLockHeaders(request, requested);
        if (requested is not null && _model.LockHeadersAnswer() is { IsOk: false } refused)
        {
            await AssertRefusedAsync(refused, () => s3.PutObjectAsync(request));
            return [key];
        }
        var before = DateTime.UtcNow;
        var response = await s3.PutObjectAsync(request);
        Assert.Equal(Actions.ActionTestExtensions.QuotedMd5(body), response.ETag);
        AssertNewVersionIdAnswer(key, response.VersionId, "PutObject x-amz-version-id");
        var version = _model.Put(key, body, response.VersionId);
        Trace($"  -> {version.VersionId}");
        await RecordLockOfNewVersionAsync(key, version.VersionId, requested, before);
        return [key];
    }

    /// <summary>CopyObject within the bucket, from the current version or a version id (an object, a delete marker, or one that is gone).</summary>
    private async Task<string[]> CopyAsync()
    {
        var source = PickKey(preferWithVersions: true);
        var versions = _model.Versions(source);
        var roll = _random.Next(100);
        var sourceVersionId = roll switch
        {
            < 45 => null,
            < 90 when versions.Count > 0 => versions[_random.Next(versions.Count)].VersionId,
            _ => PickMissingVersionId(source),
        };
        var destination = PickCopyDestination(source, sourceVersionId);
        Trace($"COPY {source}{(sourceVersionId is null ? "" : "?versionId=" + sourceVersionId)} -> {destination}");
        var expected = _model.ReadCopySource(source, sourceVersionId);
        var request = new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = source,
            SourceVersionId = sourceVersionId,
            DestinationBucket = bucket,
            DestinationKey = destination,
        };
        if (expected.Served is null)
        {
            var (status, code) = (expected.Status, expected.ErrorCode);
            if (deviations.MarkerVersionCopyIsNoSuchVersion && code == "InvalidRequest")
            {
                (status, code) = (System.Net.HttpStatusCode.NotFound, "NoSuchVersion");
            }
            var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.CopyObjectAsync(request));
            Assert.Equal(status, error.StatusCode);
            if (code is not null)
            {
                Assert.Equal(code, error.ErrorCode);
            }
            Trace($"  -> {(int)error.StatusCode} {error.ErrorCode}");
            return [source, destination];
        }
        // The destination's lock comes from the request (or the bucket's default), never from the source.
        var requested = PickRequestedLock();
        SetLockHeaders(request, requested);
        if (requested is not null)
        {
            Trace($"  with {requested}");
            if (_model.LockHeadersAnswer() is { IsOk: false } refused)
            {
                await AssertRefusedAsync(refused, () => s3.CopyObjectAsync(request));
                return [source, destination];
            }
        }
        var before = DateTime.UtcNow;
        var response = await s3.CopyObjectAsync(request);
        Assert.Equal(expected.Served.ETag, response.ETag);
        if (!deviations.NoCopySourceVersionId)
        {
            AssertVersionIdHeader(expected.Served, response.SourceVersionId, "CopyObject x-amz-copy-source-version-id");
        }
        AssertNewVersionIdAnswer(destination, response.VersionId, "CopyObject x-amz-version-id");
        var copy = _model.Put(destination, expected.Served.Body!, response.VersionId);
        Trace($"  -> {copy.VersionId}");
        await RecordLockOfNewVersionAsync(destination, copy.VersionId, requested, before);
        return [source, destination];
    }

    private async Task<string[]> SetVersioningAsync(BucketVersioning state)
    {
        Trace($"PUT-BUCKET-VERSIONING {state}");
        var request = new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = state == BucketVersioning.Enabled ? VersionStatus.Enabled : VersionStatus.Suspended },
        };
        if (_model.SetVersioningAnswer(state) is { IsOk: false } refused)
        {
            // A lock-enabled bucket cannot be suspended: 409 InvalidBucketState, nothing changes.
            await AssertRefusedAsync(refused, () => s3.PutBucketVersioningAsync(request));
            await CheckBucketVersioningAsync();
            return [PickKey()];
        }
        await s3.PutBucketVersioningAsync(request);
        _model.SetVersioning(state);
        await CheckBucketVersioningAsync();
        return [PickKey()];
    }

    /// <summary>
    /// The answer to a write that makes a version: Enabled, a new id (never "null"); Unversioned or Suspended,
    /// the null version, so no id or "null" (AWS sends none in an unversioned bucket).
    /// </summary>
    private void AssertNewVersionIdAnswer(string key, string? versionId, string what)
    {
        if (_model.State == BucketVersioning.Enabled)
        {
            Assert.True(_model.IsFreshId(key, versionId), $"{what}: '{versionId}' is not a new version id for {key}");
        }
        else
        {
            Assert.True(versionId is null or ModelVersion.NullId, $"{what}: '{versionId}' in a {_model.State} bucket (expected none or null)");
        }
    }

    /// <summary>
    /// A DELETE without version id: Unversioned, no marker; Enabled, a marker with a new id; Suspended, a marker
    /// whose id is "null" (DeleteObject x-amz-delete-marker: "In a simple DELETE, this header indicates whether
    /// (true) or not (false) the current version of the object is a delete marker").
    /// </summary>
    private void AssertSimpleDeleteAnswer(string key, bool deleteMarker, string? versionId, string what)
    {
        Assert.True(deleteMarker == (_model.State != BucketVersioning.Unversioned),
            $"{what}: delete marker {(deleteMarker ? "reported" : "not reported")} in a {_model.State} bucket");
        AssertNewVersionIdAnswer(key, versionId, $"{what} delete marker version id");
    }

    private string PickKey(bool preferWithVersions = false, bool always = false)
    {
        var withVersions = _model.Keys.ToArray();
        if (withVersions.Length > 0 && (always || (preferWithVersions && _random.Next(100) < 80)))
        {
            return withVersions[_random.Next(withVersions.Length)];
        }
        return KeyNames[_random.Next(KeyNames.Length)];
    }

    private BucketVersioning PickState() => (_model.State, _random.Next(10)) switch
    {
        (BucketVersioning.Unversioned, < 8) => BucketVersioning.Enabled,
        (BucketVersioning.Unversioned, _) => BucketVersioning.Suspended,
        (var same, 0) => same, // setting the current state again changes nothing
        (BucketVersioning.Enabled, _) => BucketVersioning.Suspended,
        _ => BucketVersioning.Enabled,
    };

    /// <summary>Mostly an existing version or delete marker anywhere; sometimes a well-formed id the key does not have.</summary>
    private (string Key, string VersionId) PickVersionToDelete()
    {
        var all = _model.Keys.SelectMany(k => _model.Versions(k).Select(v => (Key: k, v.VersionId))).ToArray();
        if (all.Length > 0 && _random.Next(100) < 80)
        {
            return all[_random.Next(all.Length)];
        }
        var key = PickKey();
        return (key, PickMissingVersionId(key));
    }

    /// <summary>One of the key's versions, or null when it has none.</summary>
    private string? PickVersionOf(string key)
    {
        var versions = _model.Versions(key);
        return versions.Count == 0 ? null : versions[_random.Next(versions.Count)].VersionId;
    }

    /// <summary>
    /// A well-formed id the key does not have: one of its removed versions (ids the server issued, so well-formed
    /// for it) or "null". AWS answers DeleteObject of such an id with 204 and changes nothing; it is not an error.
    /// </summary>
    private string PickMissingVersionId(string key)
    {
        var removed = _model.RemovedIds(key);
        if (removed.Count > 0 && (_random.Next(100) < 70 || _model.Versions(key).Any(static v => v.IsNull)))
        {
            return removed[_random.Next(removed.Count)];
        }
        // "null" when the key has no null version; otherwise (no removed id to use) it names an existing version.
        return ModelVersion.NullId;
    }

    /// <summary>
    /// A destination key. The source key itself only in an Enabled bucket with an explicit, noncurrent object
    /// version (restoring an old version, as the user guide's "Restoring previous versions" does); copying an
    /// object onto itself unchanged is an InvalidRequest in S3 and out of scope here.
    /// </summary>
    private string PickCopyDestination(string source, string? sourceVersionId)
    {
        var versions = _model.Versions(source);
        var restores = _model.State == BucketVersioning.Enabled && sourceVersionId is not null
            && versions.Skip(1).Any(v => v.VersionId == sourceVersionId && !v.IsDeleteMarker);
        if (restores && _random.Next(100) < 50)
        {
            return source;
        }
        var others = KeyNames.Where(k => k != source).ToArray();
        return others[_random.Next(others.Length)];
    }

    private byte[] NextBody()
    {
        if (_random.Next(100) < 20)
        {
            return SharedBodies[_random.Next(SharedBodies.Length)];
        }
        var body = new byte[1 + _random.Next(48)];
        _random.NextBytes(body);
        return body;
    }

    private void Trace(string line)
    {
        _trace.Add(string.Create(CultureInfo.InvariantCulture, $"[{_step}, {_model.State}] {line}"));
        if (!line.StartsWith(' '))
        {
            var kind = $"{line.Split(' ')[0]}{(line.Contains("?versionId=", StringComparison.Ordinal) ? " (version id)" : "")} [{_model.State}]";
            _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
        }
    }

    /// <summary>How many operations of each kind ran in each state, and what the bucket held at the end.</summary>
    public string Summary =>
        string.Join(", ", _counts.OrderBy(static c => c.Key, StringComparer.Ordinal).Select(static c => $"{c.Key}: {c.Value}")) + Environment.NewLine
        + (_refusals.Count == 0 ? "" : "refused (and notes): " + string.Join(", ", _refusals.OrderBy(static c => c.Key, StringComparer.Ordinal).Select(static c => $"{c.Key}: {c.Value}")) + Environment.NewLine)
        + $"at the end: {_model.Keys.Sum(k => _model.Versions(k).Count)} versions ({_model.Keys.Sum(k => _model.Versions(k).Count(static v => v.IsDeleteMarker))} delete markers)"
        + $" over {_model.Keys.Count()} keys, state {_model.State}";

    private string Describe(Exception ex)
    {
        var recent = _trace.Skip(Math.Max(0, _trace.Count - 30));
        var keys = string.Join(Environment.NewLine, _model.Keys.Select(k => $"  {k}: {string.Join(", ", _model.Versions(k))}"));
        return $"Versioning model run failed: seed {seed}, step {_step}, deviations {deviations.Name}, bucket {bucket}." + Environment.NewLine
            + $"While checking {_check}: {ex.GetType().Name}: {ex.Message}" + Environment.NewLine
            + "Last operations:" + Environment.NewLine + string.Join(Environment.NewLine, recent) + Environment.NewLine
            + "Model (newest first):" + Environment.NewLine + keys;
    }
}
