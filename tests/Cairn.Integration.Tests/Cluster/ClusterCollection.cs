namespace Cairn.Integration.Tests.Cluster;

/// <summary>One throwaway PostgreSQL cluster and one moto_server for the multi-node tests.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<PostgresCluster>, ICollectionFixture<MotoServer>
{
    public const string Name = "cluster";
}
