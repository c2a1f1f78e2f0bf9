using System.Globalization;
using Cairn.Core.Access;
using Cairn.Engine.Access;
using Cairn.Engine.Buckets;
using Cairn.S3.Errors;
using Cairn.S3.Handlers;
using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Auth;

/// <summary>
/// The one authorization decision every S3 request passes before its handler runs
/// (<see cref="S3Handlers.HandleAsync"/>), and that a handler asks again for what it learns only
/// from the body (each key of DeleteObjects, an inventory's destination). Root may do everything.
/// Otherwise, for the action (<see cref="S3Actions"/>) on the bucket or key: an explicit Deny in the
/// bucket's policy refuses; the bucket's owner may; an Allow in the policy grants; anything else is
/// refused (403 AccessDenied). A user may also list its buckets and create one (which it then owns);
/// an anonymous request may not. Copies are judged on the source too (s3:GetObject there).
/// A bucket that does not exist is NoSuchBucket to a user (AccessDenied to anonymous requests), so no
/// handler runs for a bucket the decision did not see.
/// </summary>
public sealed class S3Authorizer(BucketService buckets, BucketPolicyService policies, TimeProvider time)
{
    /// <summary>Returns when <paramref name="auth"/>'s principal may make <paramref name="request"/>; throws AccessDenied or NoSuchBucket otherwise.</summary>
    public async Task AuthorizeAsync(S3Request request, AuthResult auth, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(context);
        var principal = auth.Principal;
        if (principal.IsRoot)
        {
            return;
        }
        if (request.Operation == S3Operation.PreflightCors)
        {
            // Unsigned by design; it reads the bucket's CORS rules and answers nothing else.
            return;
        }
        if (request.Operation is S3Operation.ListBuckets or S3Operation.CreateBucket)
        {
            // Listing shows a user its own buckets; a new bucket is its creator's.
            if (principal.IsAnonymous)
            {
                throw S3Errors.AccessDenied();
            }
            return;
        }
        if (request.Bucket is not { } bucket)
        {
            throw S3Errors.AccessDenied();
        }
        if (request.Operation is S3Operation.GetBucketPolicy or S3Operation.PutBucketPolicy or S3Operation.DeleteBucketPolicy
            or S3Operation.GetBucketPolicyStatus or S3Operation.GetPublicAccessBlock or S3Operation.PutPublicAccessBlock
            or S3Operation.DeletePublicAccessBlock or S3Operation.GetBucketOwnershipControls or S3Operation.PutBucketOwnershipControls
            or S3Operation.DeleteBucketOwnershipControls)
        {
            // Who may reach the bucket is the owner's alone to say, whatever the policy says: no grant hands
            // it to others, and no Deny locks the owner out of it (AWS: only the owning account, and its root always).
            Throw(await DecideOwnerOnlyAsync(principal, bucket, cancellationToken).ConfigureAwait(false), principal, bucket);
            return;
        }
        // DeleteObjects is judged key by key in its handler (as S3 does, an error entry per key refused).
        var key = request.Operation == S3Operation.DeleteObjects ? null : request.Key;
        var action = request.Operation == S3Operation.DeleteObjects ? null : S3Actions.Of(request);
        Throw(await DecideAsync(principal, bucket, key, action, context, request.Query, cancellationToken).ConfigureAwait(false), principal, bucket);
        if (request.Operation == S3Operation.GetObjectAttributes)
        {
            // The attributes include the ETag and checksums: S3 asks for the right to read the object too.
            Throw(await DecideAsync(principal, bucket, key, string.IsNullOrEmpty(request.Query["versionId"]) ? "s3:GetObject" : "s3:GetObjectVersion",
                context, request.Query, cancellationToken).ConfigureAwait(false), principal, bucket);
        }
        if (S3Handlers.BypassesGovernance(context.Request.Headers))
        {
            // Lifting governance retention is a right of its own (s3:BypassGovernanceRetention), which the owner has.
            Throw(await DecideAsync(principal, bucket, key, "s3:BypassGovernanceRetention", context, request.Query, cancellationToken)
                .ConfigureAwait(false), principal, bucket);
        }
        if (request.Operation is S3Operation.CopyObject or S3Operation.UploadPartCopy
            && RequestHeaders.Value(context.Request.Headers, "x-amz-copy-source") is { } copySource)
        {
            var (sourceBucket, sourceKey, sourceVersion) = S3Handlers.CopySource(copySource);
            var sourceAction = sourceVersion is null ? "s3:GetObject" : "s3:GetObjectVersion";
            Throw(await DecideAsync(principal, sourceBucket, sourceKey, sourceAction, context, query: null, cancellationToken).ConfigureAwait(false),
                principal, sourceBucket);
        }
    }

    /// <summary>
    /// The decision for <paramref name="action"/> on <paramref name="bucket"/> (or <paramref name="key"/> in it);
    /// with a null action, only that the bucket exists. <paramref name="query"/> gives the list conditions (s3:prefix, ...).
    /// </summary>
    public async Task<AccessDecision> DecideAsync(Principal principal, string bucket, string? key, string? action, HttpContext context,
        IQueryCollection? query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(context);
        if (principal.IsRoot)
        {
            return AccessDecision.Allowed;
        }
        if (await buckets.GetAsync(bucket, cancellationToken).ConfigureAwait(false) is not { } record)
        {
            return AccessDecision.NoSuchBucket;
        }
        if (action is null)
        {
            return AccessDecision.Allowed;
        }
        var owner = !principal.IsAnonymous && string.Equals(record.Owner, principal.User, StringComparison.Ordinal);
        var (policy, block) = await policies.GetAccessAsync(bucket, cancellationToken).ConfigureAwait(false);
        var verdict = policy?.Evaluate(new PolicyRequest(principal.User, action, S3Actions.Arn(bucket, key), ConditionValues(principal, context, query)))
            ?? PolicyDecision.NotApplicable;
        if (verdict == PolicyDecision.Allow && principal.IsAnonymous && block.RestrictPublicBuckets && policy!.IsPublic)
        {
            // RestrictPublicBuckets: a public policy grants nothing to anonymous callers (its Denies still count).
            verdict = PolicyDecision.NotApplicable;
        }
        return verdict switch
        {
            PolicyDecision.Deny => AccessDecision.Denied,
            PolicyDecision.Allow => AccessDecision.Allowed,
            _ => owner ? AccessDecision.Allowed : AccessDecision.Denied,
        };
    }

    private async Task<AccessDecision> DecideOwnerOnlyAsync(Principal principal, string bucket, CancellationToken cancellationToken) =>
        await buckets.GetAsync(bucket, cancellationToken).ConfigureAwait(false) is not { } record
            ? AccessDecision.NoSuchBucket
            : !principal.IsAnonymous && string.Equals(record.Owner, principal.User, StringComparison.Ordinal) ? AccessDecision.Allowed : AccessDecision.Denied;

    /// <summary>The request's values of the condition keys policies test (AWS's global keys and S3's listing keys).</summary>
    private Dictionary<string, string> ConditionValues(Principal principal, HttpContext context, IQueryCollection? query)
    {
        var now = time.GetUtcNow();
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:SecureTransport"] = context.Request.IsHttps ? "true" : "false",
            ["aws:CurrentTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["aws:EpochTime"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["aws:PrincipalType"] = principal.IsAnonymous ? "Anonymous" : "User",
        };
        if (context.Connection.RemoteIpAddress is { } address)
        {
            values["aws:SourceIp"] = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        }
        if (principal.User is { } user)
        {
            values["aws:username"] = user;
        }
        AddHeader(values, "aws:UserAgent", context.Request.Headers.UserAgent);
        AddHeader(values, "aws:Referer", context.Request.Headers.Referer);
        if (query is not null)
        {
            foreach (var (conditionKey, parameter) in new[] { ("s3:prefix", "prefix"), ("s3:delimiter", "delimiter"), ("s3:max-keys", "max-keys"),
                ("s3:VersionId", "versionId") })
            {
                // The first value, as the handlers read a parameter sent twice (so a Deny on s3:prefix sees what the listing uses).
                if (query.TryGetValue(parameter, out var value) && value.Count > 0)
                {
                    values[conditionKey] = value[0] ?? "";
                }
            }
        }
        return values;
    }

    private static void AddHeader(Dictionary<string, string> values, string key, Microsoft.Extensions.Primitives.StringValues header)
    {
        if (header.Count == 1 && !string.IsNullOrEmpty(header[0]))
        {
            values[key] = header[0]!;
        }
    }

    private static void Throw(AccessDecision decision, Principal principal, string bucket)
    {
        switch (decision)
        {
            case AccessDecision.Denied:
                throw S3Errors.AccessDenied();
            case AccessDecision.NoSuchBucket:
                // Anonymous callers learn nothing about which names exist.
                throw principal.IsAnonymous ? S3Errors.AccessDenied() : S3Errors.NoSuchBucket(bucket);
        }
    }
}

/// <summary>What <see cref="S3Authorizer.DecideAsync"/> found.</summary>
public enum AccessDecision
{
    Allowed,
    Denied,
    NoSuchBucket,
}
