using System.Net;
using Cairn.Integration.Tests.Actions;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>A bucket's versioning state. A bucket that was once Enabled or Suspended never returns to Unversioned.</summary>
internal enum BucketVersioning
{
    Unversioned,
    Enabled,
    Suspended,
}

/// <summary>One version of a key: an object version (body and ETag) or a delete marker (neither).</summary>
internal sealed record ModelVersion(string VersionId, bool IsDeleteMarker, byte[]? Body, string? ETag)
{
    public const string NullId = "null";

    public bool IsNull => VersionId == NullId;

    /// <summary>The version's Object Lock state (retention and legal hold); delete markers have none.</summary>
    public ModelLock Lock { get; init; } = ModelLock.None;

    public override string ToString() =>
        IsDeleteMarker ? $"{VersionId} (delete marker)" : $"{VersionId} ({Body!.Length} bytes{(Lock.IsNone ? "" : $", {Lock}")})";
}

/// <summary>
/// What a GET or HEAD must answer: the version served, or an error status with its code (HEAD carries no code);
/// <see cref="OtherErrorCode"/> is a second code accepted where AWS's answer is not documented.
/// </summary>
internal sealed record ReadExpectation(ModelVersion? Served, HttpStatusCode Status, string? ErrorCode, bool DeleteMarkerHeader, string? OtherErrorCode = null)
{
    public static ReadExpectation Found(ModelVersion version) => new(version, HttpStatusCode.OK, null, false);
}

/// <summary>One entry of ListObjectVersions, in the order S3 lists it.</summary>
internal sealed record ListedVersion(string Key, string VersionId, bool IsLatest, bool IsDeleteMarker, string? ETag, long? Size)
{
    public override string ToString() =>
        $"{Key} {VersionId}{(IsLatest ? " latest" : "")} {(IsDeleteMarker ? "delete-marker" : $"{ETag} {Size}")}";
}

/// <summary>
/// S3 versioning semantics for one bucket, as AWS documents them (S3 user guide: "Working with objects in a
/// versioning-enabled bucket", "... versioning-suspended bucket", "Working with delete markers"; API reference:
/// GetObject, HeadObject, DeleteObject, CopyObject, ListObjectVersions). Per key an ordered stack of versions,
/// newest first. Version ids other than "null" are never invented here: the caller passes the id the server
/// answered with (x-amz-version-id), and the model only checks that it is new. Object Lock is in
/// VersioningModel.Lock.cs.
/// </summary>
internal sealed partial class VersioningModel
{
    private static readonly Comparer<string> Utf8Order = Comparer<string>.Create(ActionTestExtensions.CompareUtf8);

    private readonly SortedDictionary<string, List<ModelVersion>> _keys = new(Utf8Order);
    private readonly Dictionary<string, HashSet<string>> _seenIds = [];

    public BucketVersioning State { get; private set; } = BucketVersioning.Unversioned;

    /// <summary>Keys with at least one version (object or delete marker), in byte order.</summary>
    public IEnumerable<string> Keys => _keys.Where(static k => k.Value.Count > 0).Select(static k => k.Key);

    /// <summary>The versions of <paramref name="key"/>, newest first (empty when it has none).</summary>
    public IReadOnlyList<ModelVersion> Versions(string key) => _keys.TryGetValue(key, out var stack) ? stack : [];

    /// <summary>Version ids this key had (or has) that are not on its stack any more: well-formed ids of versions that are gone.</summary>
    public IReadOnlyList<string> RemovedIds(string key) =>
        _seenIds.TryGetValue(key, out var seen) ? [.. seen.Where(id => Versions(key).All(v => v.VersionId != id)).Order(StringComparer.Ordinal)] : [];

    /// <summary>Whether the server may answer this id for a new version of <paramref name="key"/>: never "null", never one seen before.</summary>
    public bool IsFreshId(string key, string? versionId) =>
        !string.IsNullOrEmpty(versionId) && versionId != ModelVersion.NullId && !(_seenIds.TryGetValue(key, out var seen) && seen.Contains(versionId));

    /// <summary>PutBucketVersioning: Enabled or Suspended (no request turns a bucket back to Unversioned).</summary>
    public void SetVersioning(BucketVersioning state)
    {
        if (state == BucketVersioning.Unversioned)
        {
            throw new ArgumentException("A bucket cannot be set back to Unversioned.", nameof(state));
        }
        // Existing versions do not change; only later writes behave differently.
        State = state;
    }

    /// <summary>
    /// PutObject or the write half of CopyObject. Enabled: a new version with the server's id on top. Unversioned
    /// and Suspended: the new version's id is "null"; any existing null version is removed wherever it is in the
    /// stack and the new one goes on top (other versions stay).
    /// </summary>
    public ModelVersion Put(string key, byte[] body, string? serverVersionId)
    {
        var version = new ModelVersion(NewVersionId(key, serverVersionId), IsDeleteMarker: false, body, ActionTestExtensions.QuotedMd5(body));
        Push(key, version);
        return version;
    }

    /// <summary>
    /// DeleteObject without a version id. Unversioned: removes the null version (nothing else, no marker).
    /// Enabled: a delete marker with the server's id on top, even when the key has no versions. Suspended: a
    /// delete marker with id "null" replaces any null version, on top. Returns the marker, if one was made.
    /// </summary>
    public ModelVersion? DeleteCurrent(string key, string? serverVersionId)
    {
        if (State == BucketVersioning.Unversioned)
        {
            RemoveVersion(key, ModelVersion.NullId);
            return null;
        }
        var marker = new ModelVersion(NewVersionId(key, serverVersionId), IsDeleteMarker: true, null, null);
        Push(key, marker);
        return marker;
    }

    /// <summary>
    /// DeleteObject with a version id: removes exactly that version (object or delete marker) in every state. A
    /// well-formed id that is not there is no error and changes nothing (null is returned).
    /// </summary>
    public ModelVersion? RemoveVersion(string key, string versionId)
    {
        if (!_keys.TryGetValue(key, out var stack))
        {
            return null;
        }
        var index = stack.FindIndex(v => v.VersionId == versionId);
        if (index < 0)
        {
            return null;
        }
        var removed = stack[index];
        stack.RemoveAt(index);
        return removed;
    }

    /// <summary>GET or HEAD without a version id: the current version; 404 NoSuchKey when absent or when it is a delete marker (then with x-amz-delete-marker: true).</summary>
    public ReadExpectation ReadCurrent(string key)
    {
        var current = Versions(key).FirstOrDefault();
        return current switch
        {
            null => new ReadExpectation(null, HttpStatusCode.NotFound, "NoSuchKey", DeleteMarkerHeader: false),
            { IsDeleteMarker: true } => new ReadExpectation(null, HttpStatusCode.NotFound, "NoSuchKey", DeleteMarkerHeader: true),
            _ => ReadExpectation.Found(current),
        };
    }

    /// <summary>
    /// GET or HEAD with a version id: that version; 405 MethodNotAllowed for a delete marker, 404 NoSuchVersion
    /// for an id the key does not have (also when the key has no versions at all, as AWS answers; for versionId=null
    /// on such a key NoSuchKey is accepted too, AWS's answer there being undocumented).
    /// </summary>
    public ReadExpectation ReadVersion(string key, string versionId)
    {
        var version = Versions(key).FirstOrDefault(v => v.VersionId == versionId);
        return version switch
        {
            null when versionId == ModelVersion.NullId && Versions(key).Count == 0 =>
                new ReadExpectation(null, HttpStatusCode.NotFound, "NoSuchVersion", DeleteMarkerHeader: false, OtherErrorCode: "NoSuchKey"),
            null => new ReadExpectation(null, HttpStatusCode.NotFound, "NoSuchVersion", DeleteMarkerHeader: false),
            { IsDeleteMarker: true } => new ReadExpectation(null, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", DeleteMarkerHeader: true),
            _ => ReadExpectation.Found(version),
        };
    }

    /// <summary>
    /// The read half of CopyObject (API reference, x-amz-copy-source): the current version, or 404 NoSuchKey
    /// when it is absent or a delete marker; with a version id, that version, 400 InvalidRequest when it is a
    /// delete marker, 404 when the key has no such version (no code checked: the reference names none).
    /// </summary>
    public ReadExpectation ReadCopySource(string key, string? versionId)
    {
        if (versionId is null)
        {
            var current = ReadCurrent(key);
            return current with { DeleteMarkerHeader = false };
        }
        var version = ReadVersion(key, versionId);
        return version.Status switch
        {
            HttpStatusCode.MethodNotAllowed => new ReadExpectation(null, HttpStatusCode.BadRequest, "InvalidRequest", DeleteMarkerHeader: false),
            // The reference names no code for a missing source version; only the status is checked.
            HttpStatusCode.NotFound => new ReadExpectation(null, HttpStatusCode.NotFound, null, DeleteMarkerHeader: false),
            _ => version,
        };
    }

    /// <summary>ListObjectVersions: keys in UTF-8 byte order, each key's versions newest first, IsLatest on the newest, delete markers in place.</summary>
    public IReadOnlyList<ListedVersion> List(string prefix)
    {
        var listed = new List<ListedVersion>();
        foreach (var (key, stack) in _keys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            for (var i = 0; i < stack.Count; i++)
            {
                var v = stack[i];
                listed.Add(new ListedVersion(key, v.VersionId, IsLatest: i == 0, v.IsDeleteMarker, v.ETag, v.Body?.Length));
            }
        }
        return listed;
    }

    /// <summary>The id the new version gets: the server's when Enabled (checked to be new), "null" otherwise.</summary>
    private string NewVersionId(string key, string? serverVersionId)
    {
        if (State != BucketVersioning.Enabled)
        {
            return ModelVersion.NullId;
        }
        if (!IsFreshId(key, serverVersionId))
        {
            throw new InvalidOperationException($"The server answered version id '{serverVersionId}' for a new version of '{key}' in a versioning-enabled bucket; expected a new id.");
        }
        return serverVersionId!;
    }

    private void Push(string key, ModelVersion version)
    {
        if (!_keys.TryGetValue(key, out var stack))
        {
            _keys[key] = stack = [];
        }
        if (version.IsNull)
        {
            stack.RemoveAll(static v => v.IsNull);
        }
        stack.Insert(0, version);
        if (!_seenIds.TryGetValue(key, out var seen))
        {
            _seenIds[key] = seen = [];
        }
        seen.Add(version.VersionId);
    }
}
