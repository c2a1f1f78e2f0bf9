using Cairn.Engine.Inventory;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>A bucket's inventory configurations: put (validated as S3 validates them), read back one by one or listed, deleted.</summary>
public sealed partial class S3Handlers
{
    private async Task GetBucketInventoryAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var (status, configuration) = await inventory.GetAsync(bucket, InventoryId(request), context.RequestAborted).ConfigureAwait(false);
        ThrowOnInventoryStatus(status, bucket);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, configuration!,
            static (writer, configuration) => InventoryWriter.WriteConfiguration(writer, configuration)).ConfigureAwait(false);
    }

    private async Task ListBucketInventoryAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var token = QueryValue(request.Query, "continuation-token");
        var page = await inventory.ListAsync(bucket, string.IsNullOrEmpty(token) ? null : token, context.RequestAborted).ConfigureAwait(false)
            ?? throw S3Errors.NoSuchBucket(bucket);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, (page, Token: token),
            static (writer, state) => InventoryWriter.WriteList(writer, state.page.Configurations, state.page.NextContinuationToken is not null,
                string.IsNullOrEmpty(state.Token) ? null : state.Token, state.page.NextContinuationToken)).ConfigureAwait(false);
    }

    private async Task PutBucketInventoryAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var id = InventoryId(request);
        Core.InventoryConfiguration configuration;
        using (var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false))
        {
            configuration = S3XmlReader.ReadInventoryConfiguration(document, id);
        }
        // The worker writes reports into the destination as the server: the caller must be allowed to write there itself.
        if (await authorizer.DecideAsync(auth.Principal, configuration.DestinationBucket, key: null, "s3:PutObject", context, query: null,
                context.RequestAborted).ConfigureAwait(false) == AccessDecision.Denied)
        {
            throw S3Errors.AccessDenied();
        }
        ThrowOnInventoryStatus(await inventory.PutAsync(bucket, configuration, context.RequestAborted).ConfigureAwait(false), bucket);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task DeleteBucketInventoryAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        ThrowOnInventoryStatus(await inventory.DeleteAsync(bucket, InventoryId(request), context.RequestAborted).ConfigureAwait(false), bucket);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The configuration id of the request (the router refused a PUT or DELETE without one; a GET without one is a list).</summary>
    private static string InventoryId(S3Request request) => QueryValue(request.Query, "id") ?? "";

    private static void ThrowOnInventoryStatus(InventoryStatus status, string bucket)
    {
        switch (status)
        {
            case InventoryStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case InventoryStatus.NoSuchConfiguration:
                throw S3Errors.Of(S3ErrorCode.NoSuchConfiguration);
            case InventoryStatus.TooManyConfigurations:
                throw S3Errors.Of(S3ErrorCode.TooManyConfigurations);
        }
    }
}
