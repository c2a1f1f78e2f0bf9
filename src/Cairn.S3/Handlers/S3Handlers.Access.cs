using Cairn.Core.Access;
using Cairn.Engine.Access;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

// A bucket's access settings besides its policy (issue 14): Block Public Access (Get/Put/DeletePublicAccessBlock,
// on by default for every bucket, as on AWS), object ownership (BucketOwnerEnforced, AWS's default and the only
// mode here: ACLs are disabled) and the ACL calls, which answer the owner's FULL_CONTROL and accept only that.
public sealed partial class S3Handlers
{
    private async Task GetPublicAccessBlockAsync(HttpContext context, S3Request request)
    {
        var bucket = (await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false)).Name;
        var settings = await policies.GetPublicAccessBlockAsync(bucket, context.RequestAborted).ConfigureAwait(false)
            ?? throw new S3Exception(S3ErrorCode.NoSuchPublicAccessBlockConfiguration) { Details = [new("BucketName", bucket)] };
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, settings, static (writer, settings) =>
        {
            var xml = new S3XmlWriter(writer);
            xml.WriteDeclaration();
            xml.WriteRootStart("PublicAccessBlockConfiguration"u8);
            xml.WriteElement("BlockPublicAcls"u8, settings.BlockPublicAcls);
            xml.WriteElement("IgnorePublicAcls"u8, settings.IgnorePublicAcls);
            xml.WriteElement("BlockPublicPolicy"u8, settings.BlockPublicPolicy);
            xml.WriteElement("RestrictPublicBuckets"u8, settings.RestrictPublicBuckets);
            xml.WriteEnd("PublicAccessBlockConfiguration"u8);
        }).ConfigureAwait(false);
    }

    private async Task PutPublicAccessBlockAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        PublicAccessBlock settings;
        using (var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false))
        {
            settings = S3XmlReader.ReadPublicAccessBlock(document);
        }
        if (await policies.PutPublicAccessBlockAsync(bucket, settings, context.RequestAborted).ConfigureAwait(false) == BucketPolicyStatus.NoSuchBucket)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task DeletePublicAccessBlockAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        if (await policies.PutPublicAccessBlockAsync(bucket, null, context.RequestAborted).ConfigureAwait(false) == BucketPolicyStatus.NoSuchBucket)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task GetBucketOwnershipControlsAsync(HttpContext context, S3Request request)
    {
        await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, 0, static (writer, _) =>
        {
            var xml = new S3XmlWriter(writer);
            xml.WriteDeclaration();
            xml.WriteRootStart("OwnershipControls"u8);
            xml.WriteStart("Rule"u8);
            xml.WriteElement("ObjectOwnership"u8, "BucketOwnerEnforced");
            xml.WriteEnd("Rule"u8);
            xml.WriteEnd("OwnershipControls"u8);
        }).ConfigureAwait(false);
    }

    private async Task PutBucketOwnershipControlsAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false);
        using var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        var ownership = S3XmlReader.ReadObjectOwnership(document);
        if (ownership != "BucketOwnerEnforced")
        {
            throw S3Errors.NotImplemented($"PutBucketOwnershipControls {ownership} (ACLs are not supported: objects are always the bucket owner's)");
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task DeleteBucketOwnershipControlsAsync(HttpContext context, S3Request request)
    {
        await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false);
        // Without ownership controls S3 enables ACLs (ObjectWriter); Cairn keeps them disabled.
        throw S3Errors.NotImplemented("DeleteBucketOwnershipControls (ACLs are not supported: objects are always the bucket owner's)");
    }

    private async Task GetBucketAclAsync(HttpContext context, S3Request request)
    {
        var record = await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false);
        await WriteOwnerOnlyAclAsync(context, OwnerOf(record.Owner)).ConfigureAwait(false);
    }

    private async Task PutBucketAclAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var record = await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false);
        await AcceptOwnerOnlyAclAsync(context, auth, OwnerOf(record.Owner)).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task GetObjectAclAsync(HttpContext context, S3Request request)
    {
        var record = await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false);
        await RequireObjectAsync(request, context).ConfigureAwait(false);
        await WriteOwnerOnlyAclAsync(context, OwnerOf(record.Owner)).ConfigureAwait(false);
    }

    private async Task PutObjectAclAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var record = await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false);
        await RequireObjectAsync(request, context).ConfigureAwait(false);
        await AcceptOwnerOnlyAclAsync(context, auth, OwnerOf(record.Owner)).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task<Engine.Buckets.Bucket> RequireBucketRecordAsync(S3Request request, CancellationToken cancellationToken)
    {
        var bucket = RequireBucket(request);
        return await buckets.GetAsync(bucket, cancellationToken).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
    }

    private async Task RequireObjectAsync(S3Request request, HttpContext context)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var versionId = VersionIdOf(request.Query);
        ThrowIfMissing((await objects.GetTagsAsync(bucket, key, context.RequestAborted, versionId).ConfigureAwait(false)).Status, bucket, key, versionId);
    }

    /// <summary>An ACL of one grant: the bucket owner's FULL_CONTROL (what every bucket and object has with ACLs disabled).</summary>
    private static Task WriteOwnerOnlyAclAsync(HttpContext context, S3Owner owner) =>
        XmlResponse.WriteAsync(context, StatusCodes.Status200OK, owner, static (writer, owner) =>
        {
            var xml = new S3XmlWriter(writer);
            xml.WriteDeclaration();
            xml.WriteRootStart("AccessControlPolicy"u8);
            OwnerXml.Write(xml, owner);
            xml.WriteStart("AccessControlList"u8);
            xml.WriteStart("Grant"u8);
            xml.WriteRaw("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">"u8);
            xml.WriteElement("ID"u8, owner.Id);
            xml.WriteOptionalElement("DisplayName"u8, owner.DisplayName);
            xml.WriteEnd("Grantee"u8);
            xml.WriteElement("Permission"u8, "FULL_CONTROL");
            xml.WriteEnd("Grant"u8);
            xml.WriteEnd("AccessControlList"u8);
            xml.WriteEnd("AccessControlPolicy"u8);
        });

    /// <summary>
    /// With ACLs disabled S3 accepts only an ACL that changes nothing: <c>x-amz-acl: private</c> or
    /// <c>bucket-owner-full-control</c>, or a body granting the owner FULL_CONTROL alone. Anything else is
    /// 400 AccessControlListNotSupported.
    /// </summary>
    private static async Task AcceptOwnerOnlyAclAsync(HttpContext context, AuthResult auth, S3Owner owner)
    {
        var headers = context.Request.Headers;
        if (headers.Keys.Any(static name => name.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase)))
        {
            throw S3Errors.Of(S3ErrorCode.AccessControlListNotSupported);
        }
        using var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        if (RequestHeaders.Value(headers, "x-amz-acl") is { } canned)
        {
            if (document.Length > 0 || canned is not ("private" or "bucket-owner-full-control"))
            {
                throw S3Errors.Of(S3ErrorCode.AccessControlListNotSupported);
            }
            return;
        }
        if (document.Length == 0)
        {
            throw S3Errors.Of(S3ErrorCode.MissingSecurityHeader);
        }
        var grants = S3XmlReader.ReadGrants(document);
        if (grants is not [("CanonicalUser", var id, "FULL_CONTROL")] || id != owner.Id)
        {
            throw S3Errors.Of(S3ErrorCode.AccessControlListNotSupported);
        }
    }
}
