using System.Net;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Integration.Tests.Observability;

/// <summary><c>/_cairn/health/live</c> and <c>/_cairn/health/ready</c>, on a server whose blob store can be made to fail.</summary>
public sealed class HealthEndpointTests : IAsyncLifetime
{
    private readonly FlakyBlobBackend _blobs = new(new InMemoryBlobBackend());
    private readonly HttpClient _http = new();
    private CairnServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await CairnServer.StartAsync(configureServices: services => services.AddSingleton<IBlobBackend>(_blobs));

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/_cairn/health/live", "ok")]
    [InlineData("/_cairn/health", "ok")]
    [InlineData("/_cairn/health/ready", "ready")]
    public async Task A_healthy_server_answers_200(string path, string body)
    {
        // Act
        using var response = await _http.GetAsync(_server.Endpoint + path);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact(Timeout = 30_000)]
    public async Task Ready_answers_503_with_the_reason_while_the_blob_store_fails_and_200_again_after()
    {
        // Arrange
        _blobs.Inject(BlobOperation.GetLength, BlobFault.Always(isTransient: false));

        // Act
        using var failing = await _http.GetAsync(_server.Endpoint + "/_cairn/health/ready");
        using var live = await _http.GetAsync(_server.Endpoint + "/_cairn/health/live");
        _blobs.ClearAll();
        using var recovered = await _http.GetAsync(_server.Endpoint + "/_cairn/health/ready");

        // Assert: only the part and the kind of failure, never the exception text.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
        var reason = await failing.Content.ReadAsStringAsync();
        Assert.Equal("not ready: blob store unavailable (BlobBackendException)", reason);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Other_paths_under_the_admin_prefix_are_404_not_S3()
    {
        // Act
        using var response = await _http.GetAsync(_server.Endpoint + "/_cairn/nothing-here");

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("x-amz-request-id"));
    }
}
