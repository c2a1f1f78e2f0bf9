using Cairn.Core.Access;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

// CORS (issue 14): Put/Get/DeleteBucketCors, the preflight (OPTIONS, unsigned, judged by the rules
// alone) and the Access-Control-* headers of a browser's actual request whose origin and method a
// rule allows (on errors too, so the page can read them).
public sealed partial class S3Handlers
{
    private const string NotAllowedByCors = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
        + "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

    private async Task GetBucketCorsAsync(HttpContext context, S3Request request)
    {
        var bucket = (await RequireBucketRecordAsync(request, context.RequestAborted).ConfigureAwait(false)).Name;
        var configuration = await cors.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false)
            ?? throw new S3Exception(S3ErrorCode.NoSuchCORSConfiguration) { Details = [new("BucketName", bucket)] };
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, configuration, static (writer, configuration) =>
        {
            var xml = new S3XmlWriter(writer);
            xml.WriteDeclaration();
            xml.WriteRootStart("CORSConfiguration"u8);
            foreach (var rule in configuration.Rules)
            {
                xml.WriteStart("CORSRule"u8);
                xml.WriteOptionalElement("ID"u8, rule.Id);
                foreach (var value in rule.AllowedHeaders)
                {
                    xml.WriteElement("AllowedHeader"u8, value);
                }
                foreach (var value in rule.AllowedMethods)
                {
                    xml.WriteElement("AllowedMethod"u8, value);
                }
                foreach (var value in rule.AllowedOrigins)
                {
                    xml.WriteElement("AllowedOrigin"u8, value);
                }
                foreach (var value in rule.ExposeHeaders)
                {
                    xml.WriteElement("ExposeHeader"u8, value);
                }
                if (rule.MaxAgeSeconds is { } maxAge)
                {
                    xml.WriteElement("MaxAgeSeconds"u8, maxAge);
                }
                xml.WriteEnd("CORSRule"u8);
            }
            xml.WriteEnd("CORSConfiguration"u8);
        }).ConfigureAwait(false);
    }

    private async Task PutBucketCorsAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        CorsConfiguration configuration;
        using (var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false))
        {
            configuration = S3XmlReader.ReadCorsConfiguration(document);
        }
        if (configuration.Problem() is { } problem)
        {
            throw S3Errors.InvalidRequest(problem);
        }
        if (!await cors.PutAsync(bucket, configuration, context.RequestAborted).ConfigureAwait(false))
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private Task DeleteBucketCorsAsync(HttpContext context, S3Request request) => DeleteBucketConfigurationAsync(context, request, cors.DeleteAsync);

    /// <summary>Removes one kind of a bucket's configuration (none to remove is done, as S3 answers): 204, or NoSuchBucket.</summary>
    private static async Task DeleteBucketConfigurationAsync(HttpContext context, S3Request request, Func<string, CancellationToken, Task<bool>> delete)
    {
        var bucket = RequireBucket(request);
        if (!await delete(bucket, context.RequestAborted).ConfigureAwait(false))
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task PreflightCorsAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var headers = context.Request.Headers;
        var origin = RequestHeaders.Value(headers, "Origin")
            ?? throw new S3Exception(S3ErrorCode.BadRequest, "Insufficient information. Origin request header needed.");
        var method = RequestHeaders.Value(headers, "Access-Control-Request-Method");
        if (method is null || !CorsConfiguration.Methods.Contains(method, StringComparer.Ordinal))
        {
            throw new S3Exception(S3ErrorCode.BadRequest, $"Invalid Access-Control-Request-Method: {method ?? "null"}");
        }
        var requested = (RequestHeaders.Value(headers, "Access-Control-Request-Headers") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (await buckets.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw new S3Exception(S3ErrorCode.AccessForbidden, "CORSResponse: Bucket not found");
        }
        var configuration = await cors.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false)
            ?? throw new S3Exception(S3ErrorCode.AccessForbidden, "CORSResponse: CORS is not enabled for this bucket.");
        var rule = configuration.Match(origin, method, requested) ?? throw new S3Exception(S3ErrorCode.AccessForbidden, NotAllowedByCors);
        WriteCorsHeaders(context.Response, rule, origin);
        if (requested.Length > 0)
        {
            context.Response.Headers.AccessControlAllowHeaders = string.Join(", ", requested.Select(static header => header.ToLowerInvariant()));
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    /// <summary>
    /// The Access-Control-* headers for a browser's actual request (one naming its Origin), when a rule of the
    /// bucket allows its origin and method. The middleware asks before authenticating, so that an error
    /// answer, a refused signature or form included, carries them too and the page can read it.
    /// </summary>
    public async Task AddCorsHeadersAsync(HttpContext context, S3Request request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Bucket is not { } bucket || request.Operation == S3Operation.PreflightCors || context.Request.Headers.Origin.Count == 0)
        {
            return;
        }
        var origin = context.Request.Headers.Origin.ToString();
        var configuration = await cors.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false);
        if (configuration?.Match(origin, context.Request.Method, []) is { } rule)
        {
            WriteCorsHeaders(context.Response, rule, origin);
        }
    }

    private static void WriteCorsHeaders(HttpResponse response, CorsRule rule, string origin)
    {
        var anyOrigin = rule.AllowedOrigins.Contains("*", StringComparer.Ordinal);
        response.Headers.AccessControlAllowOrigin = anyOrigin ? "*" : origin;
        response.Headers.AccessControlAllowMethods = string.Join(", ", rule.AllowedMethods);
        if (!anyOrigin)
        {
            response.Headers.AccessControlAllowCredentials = "true";
        }
        if (rule.ExposeHeaders.Count > 0)
        {
            response.Headers.AccessControlExposeHeaders = string.Join(", ", rule.ExposeHeaders);
        }
        if (rule.MaxAgeSeconds is { } maxAge)
        {
            response.Headers.AccessControlMaxAge = maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        response.Headers.Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";
    }
}
