using Cairn.Core;
using Cairn.Engine.Buckets;
using Cairn.Engine.Objects;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>
/// Object Lock: the bucket's configuration, each version's retention and legal hold, the lock
/// headers of the writes that create versions, and the bypass header of deletes.
/// </summary>
public sealed partial class S3Handlers
{
    private static S3Exception RetainUntilNotInFuture() => S3Errors.InvalidArgument("The retain until date must be in the future!");

    private async Task GetObjectLockConfigurationAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var record = await buckets.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        if (record.ObjectLock is not { } configuration)
        {
            throw S3Errors.ObjectLockConfigurationNotFound(bucket);
        }
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, configuration,
            static (writer, configuration) => ObjectLockWriter.WriteConfiguration(writer, configuration)).ConfigureAwait(false);
    }

    private async Task PutObjectLockConfigurationAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var configuration = await RequestBody.ReadCheckedDocumentAsync(context, auth, S3XmlReader.ReadObjectLockConfiguration).ConfigureAwait(false);
        switch (await buckets.PutObjectLockConfigurationAsync(bucket, configuration, context.RequestAborted).ConfigureAwait(false))
        {
            case PutObjectLockConfigurationStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case PutObjectLockConfigurationStatus.VersioningNotEnabled:
                throw S3Errors.Of(S3ErrorCode.InvalidBucketState, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task GetObjectRetentionAsync(HttpContext context, S3Request request)
    {
        var (bucket, key, versionId) = LockTarget(request);
        var result = await objects.GetLockAsync(bucket, key, versionId, legalHold: false, context.RequestAborted).ConfigureAwait(false);
        ThrowIfLockRefused(result.Status, bucket, key, versionId);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, result.Lock.Retention!.Value,
            static (writer, retention) => ObjectLockWriter.WriteRetention(writer, retention)).ConfigureAwait(false);
    }

    private async Task PutObjectRetentionAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var (bucket, key, versionId) = LockTarget(request);
        var retention = await RequestBody.ReadCheckedDocumentAsync(context, auth, S3XmlReader.ReadRetention).ConfigureAwait(false);
        var change = ObjectLockChange.OfRetention(retention, BypassesGovernance(context.Request.Headers));
        ThrowIfLockRefused(await objects.PutLockAsync(bucket, key, versionId, change, context.RequestAborted).ConfigureAwait(false),
            bucket, key, versionId);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task GetObjectLegalHoldAsync(HttpContext context, S3Request request)
    {
        var (bucket, key, versionId) = LockTarget(request);
        var result = await objects.GetLockAsync(bucket, key, versionId, legalHold: true, context.RequestAborted).ConfigureAwait(false);
        ThrowIfLockRefused(result.Status, bucket, key, versionId);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, result.Lock.LegalHold!.Value,
            static (writer, on) => ObjectLockWriter.WriteLegalHold(writer, on)).ConfigureAwait(false);
    }

    private async Task PutObjectLegalHoldAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var (bucket, key, versionId) = LockTarget(request);
        var on = await RequestBody.ReadCheckedDocumentAsync(context, auth, S3XmlReader.ReadLegalHold).ConfigureAwait(false);
        ThrowIfLockRefused(await objects.PutLockAsync(bucket, key, versionId, ObjectLockChange.OfLegalHold(on), context.RequestAborted)
            .ConfigureAwait(false), bucket, key, versionId);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>The bucket, key and version id (null: the latest) a retention or legal-hold request names.</summary>
    private static (string Bucket, string Key, string? VersionId) LockTarget(S3Request request) =>
        (RequireBucket(request), ValidKey(request), VersionIdOf(request.Query));

    /// <summary><c>x-amz-bypass-governance-retention: true</c>: the caller asks to lift governance-mode retention.</summary>
    internal static bool BypassesGovernance(IHeaderDictionary headers) =>
        string.Equals(RequestHeaders.Value(headers, "x-amz-bypass-governance-retention"), "true", StringComparison.OrdinalIgnoreCase);

    private static void ThrowIfLockRefused(ObjectLockStatus status, string bucket, string key, string? versionId)
    {
        switch (status)
        {
            case ObjectLockStatus.Done:
                return;
            case ObjectLockStatus.ObjectLockNotEnabled:
                throw S3Errors.MissingObjectLockConfiguration();
            case ObjectLockStatus.NotSet:
                throw S3Errors.Of(S3ErrorCode.NoSuchObjectLockConfiguration);
            case ObjectLockStatus.Locked:
                throw S3Errors.ProtectedByObjectLock();
            case ObjectLockStatus.RetainUntilNotInFuture:
                throw RetainUntilNotInFuture();
            case ObjectLockStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case ObjectLockStatus.NoSuchKey:
                throw S3Errors.NoSuchKey(key);
            case ObjectLockStatus.NoSuchVersion:
                throw S3Errors.NoSuchVersion(key, versionId);
            case ObjectLockStatus.DeleteMarker:
                throw S3Errors.DeleteMarkerNotAllowed(versionId);
            default:
                throw new InvalidOperationException($"Unexpected lock status {status}.");
        }
    }

    /// <summary>
    /// The lock state a write asks for with <c>x-amz-object-lock-mode</c>,
    /// <c>x-amz-object-lock-retain-until-date</c> and <c>x-amz-object-lock-legal-hold</c> (none:
    /// the default value), checked as S3 checks them before anything is written: the mode and date
    /// together, a known mode, an ISO 8601 date in the future, ON or OFF, and a bucket with Object Lock.
    /// </summary>
    private async Task<ObjectLockState> ReadLockHeadersAsync(IHeaderDictionary headers, string bucket, CancellationToken cancellationToken)
    {
        var modeText = RequestHeaders.Value(headers, "x-amz-object-lock-mode");
        var dateText = RequestHeaders.Value(headers, "x-amz-object-lock-retain-until-date");
        var holdText = RequestHeaders.Value(headers, "x-amz-object-lock-legal-hold");
        if (modeText is null && dateText is null && holdText is null)
        {
            return default;
        }
        if ((modeText is null) != (dateText is null))
        {
            throw S3Errors.InvalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
        }
        ObjectRetention? retention = null;
        if (modeText is not null)
        {
            if (!ObjectLockNames.TryParseMode(modeText, out var mode))
            {
                throw S3Errors.InvalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", modeText);
            }
            if (!S3XmlReader.TryParseIsoDate(dateText, out var until))
            {
                throw S3Errors.InvalidArgument("The retain until date must be provided in ISO 8601 format", "x-amz-object-lock-retain-until-date",
                    dateText);
            }
            retention = new ObjectRetention(mode, until);
        }
        bool? legalHold = holdText switch
        {
            null => null,
            "ON" => true,
            "OFF" => false,
            _ => throw S3Errors.InvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", holdText),
        };
        var requested = new ObjectLockState(retention, legalHold);
        switch (await buckets.CheckLockRequestAsync(bucket, requested, cancellationToken).ConfigureAwait(false))
        {
            case LockRequestStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case LockRequestStatus.ObjectLockNotEnabled:
                throw S3Errors.MissingObjectLockConfiguration();
            case LockRequestStatus.RetainUntilNotInFuture:
                throw RetainUntilNotInFuture();
        }
        return requested;
    }

    /// <summary>The lock headers GET and HEAD answer with, for a version that has a retention or a legal hold.</summary>
    private static void WriteLockHeaders(IHeaderDictionary headers, ObjectLockState state)
    {
        if (state.Retention is { } retention)
        {
            headers["x-amz-object-lock-mode"] = ObjectLockNames.WireName(retention.Mode);
            headers["x-amz-object-lock-retain-until-date"] = S3Date.ToXmlDate(retention.RetainUntil);
        }
        if (state.LegalHold is { } on)
        {
            headers["x-amz-object-lock-legal-hold"] = on ? "ON" : "OFF";
        }
    }
}
