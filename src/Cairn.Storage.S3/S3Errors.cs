using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Cairn.Storage.S3;

/// <summary>
/// Turns what the AWS SDK throws into the neutral storage exceptions. Transient: throttling
/// (SlowDown, 429, 503), request timeouts, server errors (5xx but 501), conflicting conditional
/// writes (409 ConditionalRequestConflict, OperationAborted), timeouts and broken connections.
/// Everything else — AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, NoSuchBucket, bad
/// parts — is permanent: retrying cannot fix it.
/// </summary>
internal static class S3Errors
{
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "SlowDown", "Throttling", "ThrottlingException", "TooManyRequests", "RequestLimitExceeded",
        "RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable",
        "OperationAborted", "ConditionalRequestConflict", "IncompleteBody",
    };

    /// <summary>True for an S3 error code or HTTP status that a retry may cure.</summary>
    public static bool IsTransient(string? errorCode, HttpStatusCode status) =>
        (errorCode is not null && TransientCodes.Contains(errorCode))
        || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
        || ((int)status >= 500 && status != HttpStatusCode.NotImplemented);

    /// <summary>
    /// The neutral exception for <paramref name="exception"/>, thrown by <paramref name="operation"/>
    /// on <paramref name="target"/> (a blob name or prefix), or null when it must propagate as is:
    /// the caller's own cancellation, and argument errors (caller bugs).
    /// </summary>
    public static Exception? Translate(Exception exception, string operation, string target, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
            case ObjectDisposedException: // a call after the backend was disposed: the caller's bug, not the upstream's
            case ArgumentException:
            case BlobBackendException:
            case BlobNotFoundException:
                return null;
            case OperationCanceledException or TimeoutException:
                // Not the caller's token: the SDK's request timeout fired.
                return new BlobBackendException($"S3 {operation} of '{target}' timed out.", isTransient: true, exception);
            case AmazonServiceException service when service.StatusCode != 0 || service.ErrorCode is not null:
                return FromService(service, operation, target);
            default:
                var network = IsNetworkFailure(exception);
                var reason = network ? "the connection failed" : "the request failed";
                return new BlobBackendException($"S3 {operation} of '{target}' failed: {reason}: {exception.Message}", network, exception);
        }
    }

    /// <summary>What the upstream answered, as an exception; NoSuchKey becomes <see cref="BlobNotFoundException"/>.</summary>
    private static Exception FromService(AmazonServiceException service, string operation, string target)
    {
        var code = service.ErrorCode;
        if (code == "NoSuchKey")
        {
            return new BlobNotFoundException(target);
        }
        if (service.StatusCode == HttpStatusCode.NotImplemented || code == "NotImplemented")
        {
            return new BlobBackendException(
                $"The upstream S3 store does not implement what {operation} needs ({code ?? "501"}): {service.Message}", isTransient: false, service);
        }
        var transient = IsTransient(code, service.StatusCode) || IsNetworkFailure(service);
        return new BlobBackendException(
            $"S3 {operation} of '{target}' failed: {(int)service.StatusCode} {code}: {service.Message}", transient, service);
    }

    /// <summary>True when the failure is the connection's, not the server's answer: refused, reset, closed early, DNS.</summary>
    public static bool IsNetworkFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException or IOException or SocketException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }
}
