namespace Cairn.Core.Access;

/// <summary>The IAM actions this server judges requests as: what a policy's Action may name (with wildcards).</summary>
public static class S3ActionNames
{
    public static readonly IReadOnlyList<string> All =
    [
        "s3:ListAllMyBuckets", "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads",
        "s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:GetBucketTagging", "s3:PutBucketTagging",
        "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:GetInventoryConfiguration", "s3:PutInventoryConfiguration",
        "s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy", "s3:GetBucketPolicyStatus",
        "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts", "s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging",
        "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes",
        "s3:GetObjectRetention", "s3:PutObjectRetention", "s3:GetObjectLegalHold", "s3:PutObjectLegalHold", "s3:BypassGovernanceRetention",
        "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
        "s3:GetBucketCORS", "s3:PutBucketCORS", "s3:GetBucketAcl", "s3:PutBucketAcl", "s3:GetObjectAcl", "s3:GetObjectVersionAcl", "s3:PutObjectAcl", "s3:PutObjectVersionAcl",
        "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
    ];
}
