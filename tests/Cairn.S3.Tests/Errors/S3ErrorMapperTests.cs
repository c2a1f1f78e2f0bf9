using Cairn.Core;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Tests.Errors;

public sealed class S3ErrorMapperTests
{
    [Fact]
    public void An_S3_error_passes_through_unchanged()
    {
        var error = S3Errors.NoSuchKey("k");

        Assert.Same(error, S3ErrorMapper.ToS3Exception(error));
    }

    [Theory]
    [InlineData(StatusCodes.Status408RequestTimeout, S3ErrorCode.RequestTimeout)]
    [InlineData(StatusCodes.Status413PayloadTooLarge, S3ErrorCode.EntityTooLarge)]
    [InlineData(StatusCodes.Status400BadRequest, S3ErrorCode.IncompleteBody)]
    public void A_body_Kestrel_refused_is_the_clients_fault(int status, S3ErrorCode expected)
    {
        Assert.Equal(expected, S3ErrorMapper.ToS3Exception(new BadHttpRequestException("body", status)).Code);
    }

    [Fact]
    public void A_transient_storage_failure_asks_the_client_to_slow_down()
    {
        Assert.Equal(S3ErrorCode.SlowDown, S3ErrorMapper.ToS3Exception(new TestStorageFailure(isTransient: true)).Code);
    }

    [Fact]
    public void A_permanent_storage_failure_is_an_internal_error()
    {
        Assert.Equal(S3ErrorCode.InternalError, S3ErrorMapper.ToS3Exception(new TestStorageFailure(isTransient: false)).Code);
    }

    [Fact]
    public void A_database_failure_that_says_it_is_transient_asks_the_client_to_slow_down()
    {
        Assert.Equal(S3ErrorCode.SlowDown, S3ErrorMapper.ToS3Exception(new TestDatabaseFailure(isTransient: true)).Code);
        Assert.Equal(S3ErrorCode.InternalError, S3ErrorMapper.ToS3Exception(new TestDatabaseFailure(isTransient: false)).Code);
    }

    [Fact]
    public void A_timeout_such_as_expired_chunk_reservations_is_service_unavailable()
    {
        Assert.Equal(S3ErrorCode.ServiceUnavailable, S3ErrorMapper.ToS3Exception(new TimeoutException("reservations expired")).Code);
    }

    [Fact]
    public void Anything_else_is_an_internal_error()
    {
        Assert.Equal(S3ErrorCode.InternalError, S3ErrorMapper.ToS3Exception(new InvalidOperationException("bug")).Code);
    }

    private sealed class TestStorageFailure(bool isTransient) : StorageFailureException("store failed", isTransient, null);

    /// <summary>As Npgsql reports a serialization failure that outlived every retry (transient) or a broken query (not).</summary>
    private sealed class TestDatabaseFailure(bool isTransient) : System.Data.Common.DbException("database failed")
    {
        public override bool IsTransient => isTransient;
    }
}
