using Cairn.Core;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Errors;

/// <summary>The only mapping from failures to S3 errors (STYLE B4.5).</summary>
public static class S3ErrorMapper
{
    /// <summary>
    /// S3 errors pass through; a body that ended early or too slowly is the client's fault;
    /// transient storage failures ask the client to retry (503); everything else is an
    /// InternalError whose body carries only the request id, never exception text.
    /// </summary>
    public static S3Exception ToS3Exception(Exception exception) => exception switch
    {
        S3Exception s3 => s3,
        // An SSE-C key missing, wrong or misapplied (a server key missing from the key file is an InternalError).
        Cairn.Engine.Encryption.DataKeyException dataKey => Handlers.EncryptionHeaders.ToS3Error(dataKey),
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => S3Errors.Of(S3ErrorCode.RequestTimeout),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => S3Errors.Of(S3ErrorCode.EntityTooLarge),
        BadHttpRequestException => S3Errors.Of(S3ErrorCode.IncompleteBody),
        StorageFailureException { IsTransient: true } => S3Errors.Of(S3ErrorCode.SlowDown),
        // A catalog write that lost every retry to other writers, or a connection the database
        // dropped: the client should back off and try again, as after S3's own 503.
        System.Data.Common.DbException { IsTransient: true } => S3Errors.Of(S3ErrorCode.SlowDown),
        TimeoutException => S3Errors.Of(S3ErrorCode.ServiceUnavailable),
        _ => S3Errors.Of(S3ErrorCode.InternalError),
    };
}
