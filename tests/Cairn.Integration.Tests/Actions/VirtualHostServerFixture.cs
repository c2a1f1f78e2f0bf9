using Amazon.S3;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// A server with <c>--base-domain localhost</c>, and an SDK client that addresses buckets as
/// <c>bucket.localhost:port</c>. Its HttpClient connects to 127.0.0.1 whatever the host name, so
/// the tests never depend on *.localhost resolving, and records each request's Host.
/// </summary>
public sealed class VirtualHostServerFixture : IAsyncLifetime
{
    public const string BaseDomain = "localhost";

    public CairnServer Server { get; private set; } = null!;

    public int Port { get; private set; }

    internal RecordingHttpClientFactory Wire { get; } = new(connectToLoopback: true);

    public AmazonS3Client Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CairnServer.StartAsync(["--base-domain", BaseDomain]);
        Port = new Uri(Server.Endpoint).Port;
        Client = Server.CreateClient(config =>
        {
            config.ServiceURL = $"http://{BaseDomain}:{Port}";
            config.ForcePathStyle = false;
            config.HttpClientFactory = Wire;
        });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
