namespace Cairn.Storage.S3.Tests;

/// <summary>One moto_server for the tests that name this collection (xUnit wants the definition in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoServer>
{
    public const string Name = "moto";
}
