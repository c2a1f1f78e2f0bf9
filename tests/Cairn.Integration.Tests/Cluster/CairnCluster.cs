using Amazon.S3;

namespace Cairn.Integration.Tests.Cluster;

/// <summary>
/// Several Cairn nodes in this process, as an operator runs them: one fresh PostgreSQL database as
/// the shared catalog, one moto_server bucket as the shared upstream, a data directory and node id
/// each. Every node is a whole server (its own workers, cache setting, SigV4 verifier).
/// </summary>
internal sealed class CairnCluster : IAsyncDisposable
{
    private readonly PostgresCluster _postgres;
    private readonly string _database;

    private CairnCluster(PostgresCluster postgres, string database, IReadOnlyList<CairnServer> nodes)
    {
        _postgres = postgres;
        _database = database;
        Nodes = nodes;
    }

    public IReadOnlyList<CairnServer> Nodes { get; }

    /// <summary>The SDK client of node <paramref name="index"/> modulo the node count (round robin).</summary>
    public AmazonS3Client Client(int index) => Nodes[index % Nodes.Count].Client;

    /// <summary>The settings that make a node part of the cluster (for tests that start more).</summary>
    public static string[] NodeSettings(string database, MotoServer moto, string upstreamBucket, string nodeId) =>
    [
        "--Metadata:Provider=postgres",
        $"--Metadata:Postgres={database}",
        "--Storage:Backend=s3",
        $"--Storage:S3:ServiceUrl={moto.Endpoint}",
        $"--Storage:S3:Bucket={upstreamBucket}",
        "--Storage:S3:KeyPrefix=cluster/",
        "--Storage:S3:ForcePathStyle=true",
        $"--Storage:S3:AccessKey={MotoServer.AccessKey}",
        $"--Storage:S3:SecretKey={MotoServer.SecretKey}",
        $"--Engine:NodeId={nodeId}",
    ];

    public static async Task<CairnCluster> StartAsync(PostgresCluster postgres, MotoServer moto, int nodeCount, params string[] extraArgs)
    {
        var database = await postgres.CreateDatabaseAsync();
        var upstreamBucket = await moto.CreateBucketAsync();
        var nodes = new List<CairnServer>();
        for (var i = 1; i <= nodeCount; i++)
        {
            nodes.Add(await CairnServer.StartAsync([.. NodeSettings(database, moto, upstreamBucket, $"node-{i}"), .. extraArgs]));
        }
        return new CairnCluster(postgres, database, nodes);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
        await _postgres.DropDatabaseAsync(_database);
    }
}
