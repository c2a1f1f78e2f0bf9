using System.Net;
using Amazon.Runtime;
using Amazon.S3;

namespace Cairn.Storage.S3.Tests;

/// <summary>The classification table itself, on exceptions built by hand.</summary>
public sealed class S3ErrorsTests
{
    [Theory]
    [InlineData("SlowDown", HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(null, HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(null, HttpStatusCode.GatewayTimeout, true)]
    [InlineData(null, HttpStatusCode.TooManyRequests, true)]
    [InlineData(null, HttpStatusCode.RequestTimeout, true)]
    [InlineData("RequestTimeout", HttpStatusCode.BadRequest, true)]
    [InlineData("ConditionalRequestConflict", HttpStatusCode.Conflict, true)]
    [InlineData("NotImplemented", HttpStatusCode.NotImplemented, false)]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, false)]
    [InlineData("EntityTooSmall", HttpStatusCode.BadRequest, false)]
    [InlineData("InvalidPart", HttpStatusCode.BadRequest, false)]
    [InlineData("NoSuchUpload", HttpStatusCode.NotFound, false)]
    public void Codes_and_statuses_are_classified(string? code, HttpStatusCode status, bool transient)
    {
        Assert.Equal(transient, S3Errors.IsTransient(code, status));
    }

    [Fact]
    public void A_timeout_that_is_not_the_callers_cancellation_becomes_transient()
    {
        var mapped = S3Errors.Translate(new TaskCanceledException("timeout"), "GetObject", "a", CancellationToken.None);
        Assert.True(Assert.IsType<BlobBackendException>(mapped).IsTransient);
    }

    [Fact]
    public void The_callers_cancellation_and_argument_errors_pass_through_untouched()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Null(S3Errors.Translate(new OperationCanceledException(cts.Token), "GetObject", "a", cts.Token));
        Assert.Null(S3Errors.Translate(new ArgumentException("bad"), "GetObject", "a", CancellationToken.None));
    }

    [Fact]
    public void A_service_error_with_NoSuchKey_is_BlobNotFoundException_naming_the_blob()
    {
        var ex = new AmazonS3Exception("gone", ErrorType.Sender, "NoSuchKey", "req", HttpStatusCode.NotFound);
        Assert.Equal("chunks/x", Assert.IsType<BlobNotFoundException>(S3Errors.Translate(ex, "GetObject", "chunks/x", CancellationToken.None)).Name);
    }

    [Fact]
    public void Network_failures_inside_SDK_exceptions_are_transient()
    {
        var wrapped = new AmazonClientException("failed", new HttpRequestException("reset", new IOException("connection reset")));
        Assert.True(Assert.IsType<BlobBackendException>(S3Errors.Translate(wrapped, "PutObject", "a", CancellationToken.None)).IsTransient);
        var configuration = new AmazonClientException("no credentials found");
        Assert.False(Assert.IsType<BlobBackendException>(S3Errors.Translate(configuration, "PutObject", "a", CancellationToken.None)).IsTransient);
    }
}
