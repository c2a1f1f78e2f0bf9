using Cairn.Testing;

namespace SampleApp.Tests;

/// <summary>
/// One Cairn for the whole test class (xunit's class fixture): started before the first test,
/// stopped and deleted after the last. Tests share it, so each makes its own bucket.
/// </summary>
public sealed class CairnFixture : IAsyncLifetime
{
    public CairnTestHost Cairn { get; private set; } = null!;

    public async Task InitializeAsync() => Cairn = await CairnTestHost.StartAsync(new CairnTestHostOptions { Storage = CairnTestStorage.InMemory });

    public async Task DisposeAsync() => await Cairn.DisposeAsync();
}
