using System.Net;
using System.Net.Sockets;

namespace Cairn.Storage.S3.Tests;

/// <summary>
/// How upstream failures reach the caller: throttling and server errors as transient, refusals as
/// permanent, broken connections and timeouts as transient, the caller's cancellation as itself.
/// </summary>
public sealed class S3BlobBackendFailureTests
{
    private const int Timeout = 30_000;

    private static CancellationToken Ct => CancellationToken.None;

    private static S3BlobBackend BackendAt(string endpoint, TimeSpan? requestTimeout = null) => new(new S3BlobBackendOptions
    {
        ServiceUrl = endpoint,
        Bucket = "bucket",
        ForcePathStyle = true,
        AccessKey = "key",
        SecretKey = "secret",
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(20),
    });

    public static TheoryData<HttpStatusCode, string, bool> CannedErrors => new()
    {
        { HttpStatusCode.ServiceUnavailable, "SlowDown", true },
        { HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", true },
        { HttpStatusCode.TooManyRequests, "TooManyRequests", true },
        { HttpStatusCode.InternalServerError, "InternalError", true },
        { HttpStatusCode.BadGateway, "BadGateway", true },
        { HttpStatusCode.BadRequest, "RequestTimeout", true },
        { HttpStatusCode.Conflict, "OperationAborted", true },
        { HttpStatusCode.Forbidden, "AccessDenied", false },
        { HttpStatusCode.Forbidden, "InvalidAccessKeyId", false },
        { HttpStatusCode.Forbidden, "SignatureDoesNotMatch", false },
        { HttpStatusCode.NotFound, "NoSuchBucket", false },
        { HttpStatusCode.BadRequest, "InvalidArgument", false },
        { HttpStatusCode.NotImplemented, "NotImplemented", false },
    };

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(CannedErrors))]
    public async Task Upstream_errors_map_to_transient_or_permanent_BlobBackendException(HttpStatusCode status, string code, bool transient)
    {
        // Arrange
        await using var server = new CannedS3Server(_ => CannedS3Server.Error(status, code));
        using var backend = BackendAt(server.Endpoint);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.PutAsync("blob", new byte[10], Ct));

        // Assert: one request reached the server, so the backend retried nothing on its own.
        Assert.Equal(transient, ex.IsTransient);
        Assert.True(server.Requests == 1, $"the server saw {server.Requests} requests; the backend threw {ex}");
    }

    [Fact(Timeout = Timeout)]
    public async Task Behind_the_retry_decorator_throttling_is_retried_until_the_upstream_accepts()
    {
        // Arrange: two SlowDown answers, then success.
        var answered = 0;
        await using var server = new CannedS3Server(_ => Interlocked.Increment(ref answered) <= 2
            ? CannedS3Server.Error(HttpStatusCode.ServiceUnavailable, "SlowDown")
            : new CannedResponse(HttpStatusCode.OK, ""));
        using var s3 = BackendAt(server.Endpoint);
        var retrying = new RetryingBlobBackend(s3, new BlobRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) });

        // Act
        await retrying.PutAsync("blob", new byte[10], Ct);

        // Assert
        Assert.Equal(3, server.Requests);
        Assert.Equal(2, retrying.Retries(BlobOperation.Put));
    }

    [Fact(Timeout = Timeout)]
    public async Task NoSuchKey_on_a_read_is_BlobNotFoundException()
    {
        // Arrange
        await using var server = new CannedS3Server(_ => CannedS3Server.Error(HttpStatusCode.NotFound, "NoSuchKey"));
        using var backend = BackendAt(server.Endpoint);

        // Act
        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(async () => await backend.ReadAsync("chunks/gone", 0, new byte[4], Ct));

        // Assert
        Assert.Equal("chunks/gone", ex.Name);
    }

    [Fact(Timeout = Timeout)]
    public async Task Put_if_absent_against_an_upstream_without_conditional_writes_says_so_permanently()
    {
        // Arrange
        await using var server = new CannedS3Server(_ => CannedS3Server.Error(HttpStatusCode.NotImplemented, "NotImplemented"));
        using var backend = BackendAt(server.Endpoint);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.PutIfAbsentAsync("blob", new byte[10], Ct));

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Contains("conditional writes", ex.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_probe_spots_an_upstream_that_ignores_If_None_Match()
    {
        // Arrange: every PUT succeeds, as on a store that ignores the condition.
        await using var server = new CannedS3Server(_ => new CannedResponse(HttpStatusCode.OK, ""));
        using var backend = BackendAt(server.Endpoint);

        // Act
        var supported = await backend.ProbeConditionalCreateAsync("probe/x", Ct);

        // Assert
        Assert.False(supported);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_conflicting_conditional_write_is_transient()
    {
        // Arrange: S3 answers 409 ConditionalRequestConflict when two conditional writes race; AWS says retry.
        await using var server = new CannedS3Server(_ => CannedS3Server.Error(HttpStatusCode.Conflict, "ConditionalRequestConflict"));
        using var backend = BackendAt(server.Endpoint);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.PutIfAbsentAsync("blob", new byte[10], Ct));

        // Assert
        Assert.True(ex.IsTransient);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_body_cut_off_mid_way_is_a_transient_failure_not_a_short_read()
    {
        // Arrange
        var body = new string('x', 1000);
        await using var server = new CannedS3Server(_ => new CannedResponse(HttpStatusCode.OK, body, CutBodyAfter: 300));
        using var backend = BackendAt(server.Endpoint);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.ReadAsync("blob", 0, new byte[1000], Ct));

        // Assert
        Assert.True(ex.IsTransient);
        Assert.Equal(1, server.Requests);
    }

    [Fact(Timeout = Timeout)]
    public async Task Per_name_DeleteObjects_errors_come_back_as_failures_and_NoSuchKey_counts_as_deleted()
    {
        // Arrange
        const string answer = """
            <?xml version="1.0" encoding="UTF-8"?>
            <DeleteResult>
              <Error><Key>p/busy</Key><Code>SlowDown</Code><Message>slow down</Message></Error>
              <Error><Key>p/locked</Key><Code>AccessDenied</Code><Message>denied</Message></Error>
              <Error><Key>p/gone</Key><Code>NoSuchKey</Code><Message>gone</Message></Error>
            </DeleteResult>
            """;
        await using var server = new CannedS3Server(_ => new CannedResponse(HttpStatusCode.OK, answer));
        using var backend = new S3BlobBackend(new S3BlobBackendOptions
        {
            ServiceUrl = server.Endpoint,
            Bucket = "bucket",
            KeyPrefix = "p/",
            ForcePathStyle = true,
            AccessKey = "key",
            SecretKey = "secret",
        });

        // Act
        var failures = await backend.DeleteManyAsync(["busy", "locked", "gone", "fine"], Ct);

        // Assert
        Assert.Equal([("busy", true), ("locked", false)], failures.Select(f => (f.Name, f.IsTransient)).Order());
    }

    [Fact(Timeout = Timeout)]
    public async Task A_refused_connection_is_transient()
    {
        // Arrange: a port that was free a moment ago and has no listener.
        using var backend = BackendAt($"http://127.0.0.1:{ClosedPort()}");

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.GetLengthAsync("blob", Ct));

        // Assert
        Assert.True(ex.IsTransient);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_connection_reset_before_any_answer_is_transient()
    {
        // Arrange: accept, then close with a zero linger, which sends RST.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = 0;
        var resets = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                using var socket = await listener.AcceptSocketAsync();
                Interlocked.Increment(ref accepted);
                socket.LingerState = new LingerOption(enable: true, seconds: 0);
                socket.Close();
            }
        });
        using var backend = BackendAt($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.PutAsync("blob", new byte[10], Ct));

        // Assert
        Assert.True(ex.IsTransient, ex.ToString());
        Assert.Equal(1, accepted);
        listener.Stop();
    }

    [Fact(Timeout = Timeout)]
    public async Task An_upstream_that_never_answers_times_out_as_transient_and_the_callers_cancellation_stays_a_cancellation()
    {
        // Arrange: connections are accepted and left hanging.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                held.Add(await listener.AcceptSocketAsync());
            }
        });
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        using var impatient = BackendAt(endpoint, TimeSpan.FromMilliseconds(500));
        using var patient = BackendAt(endpoint, TimeSpan.FromSeconds(20));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        // Act
        var timedOut = await Assert.ThrowsAsync<BlobBackendException>(async () => await impatient.GetLengthAsync("blob", Ct));
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await patient.GetLengthAsync("blob", cts.Token));

        // Assert
        Assert.True(timedOut.IsTransient);
        Assert.True(cts.IsCancellationRequested);
        listener.Stop();
        foreach (var socket in held)
        {
            socket.Dispose();
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
