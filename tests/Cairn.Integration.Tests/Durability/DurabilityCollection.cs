namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// The durability tests run alone, after the parallel ones: they push a 2-core machine hard (eight
/// writers, a child server, 20 MB bodies), and a starved child could let its 2-second upload
/// reservations expire mid-request, which would fail a PUT for reasons that have nothing to do with
/// the crash under test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DurabilityCollection
{
    public const string Name = "durability";
}
