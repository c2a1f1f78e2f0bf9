using Cairn.Engine.Encryption;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

// A bucket's default encryption (issue 14): Put/Get/DeleteBucketEncryption. With one set, a write that
// names no encryption is stored with SSE-S3, as on S3; SSE-KMS needs a KMS Cairn does not have (501).
// Without one (Cairn's default, unlike AWS since 2023: encrypted objects do not deduplicate), writes
// are stored as sent unless they ask for SSE-S3 or SSE-C.
public sealed partial class S3Handlers
{
    private async Task GetBucketEncryptionAsync(HttpContext context, S3Request request)
    {
        var bucket = (await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false)).Name;
        var configuration = await encryption.GetDefaultAsync(bucket, context.RequestAborted).ConfigureAwait(false)
            ?? throw new S3Exception(S3ErrorCode.ServerSideEncryptionConfigurationNotFoundError) { Details = [new("BucketName", bucket)] };
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, configuration, static (writer, configuration) =>
        {
            var xml = new S3XmlWriter(writer);
            xml.WriteDeclaration();
            xml.WriteRootStart("ServerSideEncryptionConfiguration"u8);
            xml.WriteStart("Rule"u8);
            xml.WriteStart("ApplyServerSideEncryptionByDefault"u8);
            xml.WriteElement("SSEAlgorithm"u8, configuration.Algorithm);
            xml.WriteEnd("ApplyServerSideEncryptionByDefault"u8);
            xml.WriteElement("BucketKeyEnabled"u8, configuration.BucketKeyEnabled);
            xml.WriteEnd("Rule"u8);
            xml.WriteEnd("ServerSideEncryptionConfiguration"u8);
        }).ConfigureAwait(false);
    }

    private async Task PutBucketEncryptionAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        (string Algorithm, string? KmsKeyId, bool BucketKeyEnabled) configuration;
        using (var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false))
        {
            configuration = S3XmlReader.ReadServerSideEncryption(document);
        }
        if (configuration.Algorithm != ObjectEncryption.Aes256)
        {
            throw S3Errors.NotImplemented($"Default encryption with {configuration.Algorithm} (a KMS)");
        }
        if (configuration.KmsKeyId is not null)
        {
            throw S3Errors.InvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                "ApplyServerSideEncryptionByDefault", "");
        }
        if (!await encryption.PutDefaultAsync(bucket, new BucketEncryptionDefault(configuration.Algorithm, configuration.BucketKeyEnabled),
            context.RequestAborted).ConfigureAwait(false))
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private Task DeleteBucketEncryptionAsync(HttpContext context, S3Request request) =>
        DeleteBucketConfigurationAsync(context, request, encryption.DeleteDefaultAsync);
}
