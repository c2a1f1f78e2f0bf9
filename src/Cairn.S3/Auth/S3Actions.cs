using Cairn.S3.Routing;

namespace Cairn.S3.Auth;

/// <summary>
/// The IAM action each S3 operation is authorized as (AWS's "Actions, resources, and condition keys
/// for Amazon S3"), and its resource ARN: the bucket's for bucket operations, the key's for object
/// operations. A request naming a version asks for the <c>...Version</c> action, as on S3.
/// </summary>
public static class S3Actions
{
    /// <summary>ARNs of S3 resources start with this.</summary>
    public const string ArnPrefix = "arn:aws:s3:::";

    /// <summary>The action <paramref name="request"/> needs on its bucket or key.</summary>
    public static string Of(S3Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var versioned = !string.IsNullOrEmpty(request.Query["versionId"]);
        return request.Operation switch
        {
            S3Operation.ListBuckets => "s3:ListAllMyBuckets",
            S3Operation.CreateBucket => "s3:CreateBucket",
            S3Operation.HeadBucket or S3Operation.ListObjects or S3Operation.ListObjectsV2 => "s3:ListBucket",
            S3Operation.DeleteBucket => "s3:DeleteBucket",
            S3Operation.GetBucketLocation => "s3:GetBucketLocation",
            S3Operation.DeleteObjects or S3Operation.DeleteObject => versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject",
            S3Operation.PutObject or S3Operation.PostObject or S3Operation.CopyObject or S3Operation.CreateMultipartUpload or S3Operation.UploadPart
                or S3Operation.UploadPartCopy or S3Operation.CompleteMultipartUpload => "s3:PutObject",
            S3Operation.GetObject or S3Operation.HeadObject => versioned ? "s3:GetObjectVersion" : "s3:GetObject",
            S3Operation.AbortMultipartUpload => "s3:AbortMultipartUpload",
            S3Operation.ListParts => "s3:ListMultipartUploadParts",
            S3Operation.ListMultipartUploads => "s3:ListBucketMultipartUploads",
            S3Operation.ListObjectVersions => "s3:ListBucketVersions",
            S3Operation.GetBucketVersioning => "s3:GetBucketVersioning",
            S3Operation.PutBucketVersioning => "s3:PutBucketVersioning",
            S3Operation.GetBucketTagging => "s3:GetBucketTagging",
            S3Operation.PutBucketTagging or S3Operation.DeleteBucketTagging => "s3:PutBucketTagging",
            S3Operation.GetBucketLifecycleConfiguration => "s3:GetLifecycleConfiguration",
            S3Operation.PutBucketLifecycleConfiguration or S3Operation.DeleteBucketLifecycle => "s3:PutLifecycleConfiguration",
            S3Operation.GetBucketInventoryConfiguration or S3Operation.ListBucketInventoryConfigurations => "s3:GetInventoryConfiguration",
            S3Operation.PutBucketInventoryConfiguration or S3Operation.DeleteBucketInventoryConfiguration => "s3:PutInventoryConfiguration",
            S3Operation.GetObjectTagging => versioned ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging",
            S3Operation.PutObjectTagging => versioned ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging",
            S3Operation.DeleteObjectTagging => versioned ? "s3:DeleteObjectVersionTagging" : "s3:DeleteObjectTagging",
            S3Operation.GetObjectAttributes => versioned ? "s3:GetObjectVersionAttributes" : "s3:GetObjectAttributes",
            S3Operation.GetObjectLockConfiguration => "s3:GetBucketObjectLockConfiguration",
            S3Operation.PutObjectLockConfiguration => "s3:PutBucketObjectLockConfiguration",
            S3Operation.GetObjectRetention => "s3:GetObjectRetention",
            S3Operation.PutObjectRetention => "s3:PutObjectRetention",
            S3Operation.GetObjectLegalHold => "s3:GetObjectLegalHold",
            S3Operation.PutObjectLegalHold => "s3:PutObjectLegalHold",
            S3Operation.GetBucketPolicy => "s3:GetBucketPolicy",
            S3Operation.PutBucketPolicy => "s3:PutBucketPolicy",
            S3Operation.DeleteBucketPolicy => "s3:DeleteBucketPolicy",
            S3Operation.GetBucketPolicyStatus => "s3:GetBucketPolicyStatus",
            S3Operation.GetPublicAccessBlock => "s3:GetBucketPublicAccessBlock",
            S3Operation.PutPublicAccessBlock or S3Operation.DeletePublicAccessBlock => "s3:PutBucketPublicAccessBlock",
            S3Operation.GetBucketOwnershipControls => "s3:GetBucketOwnershipControls",
            S3Operation.PutBucketOwnershipControls or S3Operation.DeleteBucketOwnershipControls => "s3:PutBucketOwnershipControls",
            S3Operation.GetBucketAcl => "s3:GetBucketAcl",
            S3Operation.PutBucketAcl => "s3:PutBucketAcl",
            S3Operation.GetObjectAcl => versioned ? "s3:GetObjectVersionAcl" : "s3:GetObjectAcl",
            S3Operation.PutObjectAcl => versioned ? "s3:PutObjectVersionAcl" : "s3:PutObjectAcl",
            S3Operation.GetBucketCors => "s3:GetBucketCORS",
            S3Operation.PutBucketCors or S3Operation.DeleteBucketCors => "s3:PutBucketCORS",
            S3Operation.GetBucketEncryption => "s3:GetEncryptionConfiguration",
            S3Operation.PutBucketEncryption or S3Operation.DeleteBucketEncryption => "s3:PutEncryptionConfiguration",
            // An operation Cairn does not implement is answered 501 by its handler, whoever asks.
            _ => "s3:" + request.Operation,
        };
    }

    /// <summary>The ARN of a bucket, or of a key in it.</summary>
    public static string Arn(string bucket, string? key) => key is null ? ArnPrefix + bucket : ArnPrefix + bucket + "/" + key;
}
