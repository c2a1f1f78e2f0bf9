using Amazon.S3;

namespace Cairn.Integration.Tests.Actions;

/// <summary>A server configured for eu-west-1, where S3's region-specific bucket rules apply (not the us-east-1 legacy ones).</summary>
public sealed class OtherRegionServerFixture : IAsyncLifetime
{
    public const string Region = "eu-west-1";

    public CairnServer Server { get; private set; } = null!;

    public AmazonS3Client Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CairnServer.StartAsync(["--region", Region]);
        Client = Server.CreateClient(config => config.AuthenticationRegion = Region);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
