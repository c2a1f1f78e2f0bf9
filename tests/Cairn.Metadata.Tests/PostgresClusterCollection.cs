namespace Cairn.Metadata.Tests;

/// <summary>The test classes that share one <see cref="PostgresCluster"/> (and run one after another).</summary>
[CollectionDefinition(PostgresCluster.Collection)]
public sealed class PostgresClusterCollection : ICollectionFixture<PostgresCluster>;
