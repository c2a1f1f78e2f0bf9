namespace Cairn.Integration.Tests.Versioning;

/// <summary>
/// Where a target is known to answer differently from AWS's documented behaviour. The model always follows
/// AWS; a deviation only steers the operation generator away from a case or relaxes one assertion, so the rest
/// of the model can still be checked against that target. Cairn runs with <see cref="None"/>.
/// </summary>
internal sealed record KnownDeviations(string Name)
{
    /// <summary>Everything as AWS documents it.</summary>
    public static readonly KnownDeviations None = new("none");

    /// <summary>
    /// moto_server 5.x (checked with moto 5.2.1; moto/s3/models.py). Each is a deviation from the AWS
    /// documentation named on the property.
    /// </summary>
    public static readonly KnownDeviations Moto = new("moto")
    {
        NoWritesWhileSuspended = true,
        NoMarkerForKeyWithoutVersions = true,
        MarkerVersionReadIsNoSuchVersion = true,
        MarkerVersionCopyIsNoSuchVersion = true,
        NoDeleteMarkerHeaderOnGet = true,
        NoDeleteMarkerFlagOnVersionDelete = true,
        ListsMarkersAfterVersions = true,
        NoCopySourceVersionId = true,
        NoLastModifiedOn405 = true,
        HeadByVersionIdOnlyWhenEnabled = true,
        NoObjectLockRules = true,
    };

    /// <summary>
    /// moto treats a Suspended bucket as an unversioned one (FakeBucket.is_versioned is Status == "Enabled"): a
    /// PUT replaces the whole version stack, a DELETE removes every version without leaving a null delete marker,
    /// and a DELETE by version id removes the whole key. AWS ("Adding objects to versioning-suspended buckets",
    /// "Deleting objects from versioning-suspended buckets") only replaces the null version and keeps the others.
    /// With this set the generator makes no writes while the bucket is Suspended; reads still run.
    /// </summary>
    public bool NoWritesWhileSuspended { get; init; }

    /// <summary>
    /// moto makes no delete marker for a DELETE (or a DeleteObjects entry) without version id on a key that has
    /// no versions at all in a versioning-enabled bucket; AWS inserts one ("a simple DELETE ... inserts a delete
    /// marker"), whether or not the key had versions. The generator avoids that case.
    /// </summary>
    public bool NoMarkerForKeyWithoutVersions { get; init; }

    /// <summary>
    /// GET by version id of a delete marker: moto answers 404 NoSuchVersion; AWS (GetObject, "If the specified
    /// version in the request is a delete marker, the response returns a 405 Method Not Allowed error") 405.
    /// </summary>
    public bool MarkerVersionReadIsNoSuchVersion { get; init; }

    /// <summary>
    /// CopyObject whose source names a delete marker by version id: moto answers 404 NoSuchVersion; AWS
    /// (CopyObject, x-amz-copy-source) "returns an HTTP 400 Bad Request error" (code InvalidRequest).
    /// </summary>
    public bool MarkerVersionCopyIsNoSuchVersion { get; init; }

    /// <summary>
    /// GET of a key whose current version is a delete marker: moto's 404 has no x-amz-delete-marker header (its
    /// HEAD has it); AWS (GetObject, x-amz-delete-marker) "includes x-amz-delete-marker: true in the response".
    /// </summary>
    public bool NoDeleteMarkerHeaderOnGet { get; init; }

    /// <summary>
    /// DeleteObject or a DeleteObjects entry with the version id of a delete marker: moto leaves out
    /// x-amz-delete-marker: true / DeleteMarker and DeleteMarkerVersionId; AWS (DeleteObject x-amz-delete-marker:
    /// "whether the specified object version that was permanently deleted was (true) or was not (false) a delete
    /// marker"; DeletedObject) sets them.
    /// </summary>
    public bool NoDeleteMarkerFlagOnVersionDelete { get; init; }

    /// <summary>
    /// ListObjectVersions: moto writes every Version element of a page, then every DeleteMarker element; AWS
    /// interleaves them in listing order (key, then newest first), as the ListObjectVersions examples show. With
    /// this set, versions and delete markers are compared as two sequences, each in listing order.
    /// </summary>
    public bool ListsMarkersAfterVersions { get; init; }

    /// <summary>CopyObject: moto sends no x-amz-copy-source-version-id; AWS (CopyObject response) names the source version copied.</summary>
    public bool NoCopySourceVersionId { get; init; }

    /// <summary>GET or HEAD by version id of a delete marker: AWS documents "the Last-Modified: timestamp response header" with the 405; moto sends none.</summary>
    public bool NoLastModifiedOn405 { get; init; }

    /// <summary>
    /// HEAD with a versionId (even "null") in a bucket that is not Enabled: moto answers 400 with no body; AWS
    /// serves the version (its GET by versionId=null works in moto too; "null" is the version id of objects written
    /// while versioning was not enabled). With this set such HEADs are not sent.
    /// </summary>
    public bool HeadByVersionIdOnlyWhenEnabled { get; init; }

    /// <summary>
    /// moto stores Object Lock settings but enforces few of its rules (moto/s3/models.py, responses.py):
    /// PutObjectRetention replaces any retention, COMPLIANCE in force or GOVERNANCE without the bypass header
    /// included (AWS, PutObjectRetention and "Object Lock retention modes": 403 AccessDenied); GetObjectRetention of
    /// a version without retention answers 200 with an empty Retention (AWS: 404 NoSuchObjectLockConfiguration);
    /// a default retention is Years × 365 days. With this set the Object Lock runs are not made (the plain
    /// versioning runs still are).
    /// </summary>
    public bool NoObjectLockRules { get; init; }

    /// <summary>The deviations named by CAIRN_MODEL_TEST_DEVIATIONS ("moto"), or none.</summary>
    public static KnownDeviations FromEnvironment()
    {
        var name = Environment.GetEnvironmentVariable("CAIRN_MODEL_TEST_DEVIATIONS");
        return name switch
        {
            null or "" or "none" => None,
            "moto" => Moto,
            _ => throw new InvalidOperationException($"CAIRN_MODEL_TEST_DEVIATIONS={name}: known values are none and moto."),
        };
    }
}
