using System.Diagnostics;
using System.Security.Cryptography;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Handlers;
using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Cairn.S3;

/// <summary>
/// The one terminal middleware for S3 traffic: request id, parse, authenticate, dispatch, and the
/// single place where failures become S3 error responses (STYLE B2, B4).
/// </summary>
public sealed partial class S3Middleware(S3RequestParser parser, SigV4Verifier verifier, S3Handlers handlers, S3Metrics metrics,
    ILogger<S3Middleware> logger)
{
    /// <summary>Serves one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = NewRequestId();
        context.Response.Headers["x-amz-request-id"] = requestId;
        context.Response.Headers["x-amz-id-2"] = requestId;
        context.Response.Headers.Server = "Cairn";
        var operation = S3Operation.Unsupported;
        string? errorCode = null;
        var (rawPath, rawQuery) = SplitTarget(context);
        S3Request? request = null;
        try
        {
            request = parser.Parse(context.Request.Method, rawPath, rawQuery, context.Request.Host.Value, context.Request.Headers);
            operation = request.Operation;
            if (context.Request.Headers.Origin.Count > 0)
            {
                await handlers.AddCorsHeadersAsync(context, request).ConfigureAwait(false);
            }
            AuthResult auth;
            if (operation == S3Operation.PostObject)
            {
                (request, auth) = await AuthenticateFormAsync(context, request).ConfigureAwait(false);
            }
            else
            {
                // A CORS preflight is never signed (browsers send no credentials with it): it is judged by the bucket's CORS rules alone.
                auth = operation == S3Operation.PreflightCors
                    ? AuthResult.Anonymous
                    : verifier.Verify(new SigV4Request(context.Request.Method, rawPath, rawQuery, context.Request.Headers)
                    {
                        VirtualHostBucket = request.IsVirtualHostStyle ? request.Bucket : null,
                    }, allowAnonymous: true);
            }
            if (auth.IsPresigned)
            {
                HoistSignedQueryHeaders(request.Query, context.Request.Headers);
            }
            await handlers.HandleAsync(context, request, auth).ConfigureAwait(false);
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // The client went away; there is nobody to answer.
            errorCode = "ClientDisconnected";
        }
        catch (Exception ex)
        {
            var error = S3ErrorMapper.ToS3Exception(ex);
            errorCode = error.Code.ToString();
            if (error.Code == S3ErrorCode.InternalError)
            {
                LogInternalError(ex, requestId, context.Request.Method, operation);
            }
            else
            {
                LogClientError(requestId, context.Request.Method, operation, errorCode, error.Message);
            }
            await WriteErrorAsync(context, error, request?.Resource ?? rawPath, requestId).ConfigureAwait(false);
        }
        finally
        {
            metrics.RequestCompleted(operation, context.Response.StatusCode, errorCode, Stopwatch.GetElapsedTime(started),
                context.Request.ContentLength ?? 0, ResponseBodyBytes(context));
        }
    }

    /// <summary>
    /// The body bytes sent: every response Cairn writes declares its Content-Length (a chunked request
    /// body is refused with MissingContentLength). HEAD declares one but sends no body; an aborted
    /// response may have sent any part of it, so it is not counted.
    /// </summary>
    private static long ResponseBodyBytes(HttpContext context) =>
        HttpMethods.IsHead(context.Request.Method) || context.RequestAborted.IsCancellationRequested ? 0 : context.Response.ContentLength ?? 0;

    private static async Task WriteErrorAsync(HttpContext context, S3Exception error, string resource, string requestId)
    {
        if (context.Response.HasStarted)
        {
            // Headers (with a Content-Length) are out: the only honest signal left is to cut the
            // connection, so the client sees a failed transfer and never a short body (invariant 3).
            context.Abort();
            return;
        }
        // A browser may read an error only with the CORS headers the request earned (S3 sends them on errors too).
        var cors = context.Response.Headers.Where(static header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)
            || header.Key.Equals("Vary", StringComparison.OrdinalIgnoreCase)).ToList();
        context.Response.Clear();
        foreach (var (name, value) in cors)
        {
            context.Response.Headers[name] = value;
        }
        context.Response.Headers["x-amz-request-id"] = requestId;
        context.Response.Headers["x-amz-id-2"] = requestId;
        foreach (var (name, value) in error.ResponseHeaders)
        {
            context.Response.Headers[name] = value;
        }
        if (AwaitsContinue(context.Request))
        {
            // A client that sent Expect: 100-continue and gets a final answer instead does not send
            // its body (RFC 9110 10.1.1), but Kestrel, keeping the connection, would read the declared
            // Content-Length of the client's next request as the unread body and answer that request
            // 400 (boto3 did). So the answer says Connection: close and the client's next request
            // goes on a new connection; Kestrel drops this one after its body-drain timeout.
            context.Response.Headers.Connection = "close";
        }
        context.Response.StatusCode = error.StatusCode;
        if (HttpMethods.IsHead(context.Request.Method) || error.StatusCode == StatusCodes.Status304NotModified)
        {
            return;
        }
        await S3ErrorWriter.WriteAsync(context, error, resource, requestId).ConfigureAwait(false);
    }

    private static bool AwaitsContinue(HttpRequest request) =>
        request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase)
        && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0);

    /// <summary>The raw path and query as sent (never normalised: the signature covers them, and keys live in them).</summary>
    internal static (string Path, string Query) SplitTarget(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target))
        {
            return (context.Request.PathBase + context.Request.Path, context.Request.QueryString.Value?.TrimStart('?') ?? "");
        }
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // Absolute-form target (proxies): drop scheme and authority by hand; Uri would remove
            // dot-segments and re-escape, changing the key and breaking the signature.
            var pathStart = target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2);
            target = pathStart < 0 ? "/" : target[pathStart..];
        }
        var question = target.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (target, "") : (target[..question], target[(question + 1)..]);
    }

    /// <summary>
    /// Presigners put headers such as <c>x-amz-meta-*</c> and <c>x-amz-checksum-*</c> into the
    /// (signed) query string; S3 treats them as headers, so they are copied over. The SigV4
    /// parameters themselves stay in the query.
    /// </summary>
    private static void HoistSignedQueryHeaders(IQueryCollection query, IHeaderDictionary headers)
    {
        foreach (var (name, value) in query)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && !IsSigV4Parameter(name) && !headers.ContainsKey(name))
            {
                headers[name] = value;
            }
        }
    }

    private static bool IsSigV4Parameter(string name) =>
        name.Equals("X-Amz-Algorithm", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Amz-Credential", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Amz-Expires", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Amz-SignedHeaders", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Amz-Signature", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A browser upload carries its signature and key in its form, not in headers: the fields before the
    /// file are read, the signature and policy checked, and the request goes on as any other, its key
    /// known (so the authorization decision judges it) and its fields standing as the headers they mean.
    /// </summary>
    private async Task<(S3Request Request, AuthResult Auth)> AuthenticateFormAsync(HttpContext context, S3Request request)
    {
        var form = await PostForm.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var key = form.Key;
        var (auth, sizeRange) = verifier.VerifyPostForm(form.Fields, request.Bucket!);
        form.HoistInto(context.Request.Headers);
        return (request with { Key = key, Form = form, FormSizeRange = sizeRange }, auth);
    }

    /// <summary>
    /// 16 hex digits: 8 random per process, then a counter. Unique within the process and, with
    /// overwhelming likelihood, across restarts; drawing 8 random bytes per request instead cost a
    /// system call (OpenSSL's fork check) and a lock on every request.
    /// </summary>
    private static string NewRequestId()
    {
        var sequence = (uint)Interlocked.Increment(ref s_requestSequence);
        return string.Create(16, sequence, static (chars, sequence) =>
        {
            RequestIdPrefix.CopyTo(chars);
            sequence.TryFormat(chars[8..], out _, "X8");
        });
    }

    private static readonly string RequestIdPrefix = Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
    private static long s_requestSequence;

    // Event ids 1-99 belong to the S3 front end; next free: 3.
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Request {RequestId} {Method} {Operation} failed with an internal error")]
    private partial void LogInternalError(Exception exception, string requestId, string method, S3Operation operation);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Request {RequestId} {Method} {Operation} answered {Code}: {Message}")]
    private partial void LogClientError(string requestId, string method, S3Operation operation, string code, string message);
}
