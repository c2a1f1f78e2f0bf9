using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>
/// Model-based test of S3 versioning: seeded random sequences of puts, copies, deletes with and without version
/// id, DeleteObjects batches and versioning changes, each checked against <see cref="VersioningModel"/>
/// (ListObjectVersions through every page, GET and HEAD of current versions and by version id).
/// <para>
/// Runs against the collection's Cairn server, or against CAIRN_MODEL_TEST_ENDPOINT (e.g.
/// http://127.0.0.1:PORT of a moto_server, any credentials) when that is set; CAIRN_MODEL_TEST_DEVIATIONS=moto
/// then tolerates moto's known departures from AWS (<see cref="KnownDeviations.Moto"/>), and
/// CAIRN_MODEL_TEST_SEEDS=1,2,3 replaces the seeds (of both tests).
/// </para>
/// <para>
/// The Object Lock runs (/work/objectlock-spec.md) add puts and copies with lock headers, PutObjectRetention,
/// PutObjectLegalHold, PutObjectLockConfiguration and deletes with and without the governance bypass, and check
/// lock headers, GetObjectRetention, GetObjectLegalHold and GetObjectLockConfiguration. Odd seeds create the bucket
/// with lock enabled, even ones turn it on later. Their buckets are left behind: versions under COMPLIANCE
/// retention hours ahead cannot be deleted, so the bucket cannot be emptied (the test server is temporary).
/// </para>
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Suite", "Versioning")]
public sealed class VersioningModelTests(ServerFixture fixture, ITestOutputHelper output)
{
    private const int Operations = 200;
    private const int LockOperations = 150;

    public static TheoryData<int> Seeds
    {
        get
        {
            var listed = Environment.GetEnvironmentVariable("CAIRN_MODEL_TEST_SEEDS");
            return string.IsNullOrWhiteSpace(listed)
                ? [1, 2, 3, 4, 5]
                : [.. listed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(static s => int.Parse(s, CultureInfo.InvariantCulture))];
        }
    }

    public static TheoryData<int> LockSeeds =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("CAIRN_MODEL_TEST_SEEDS")) ? [11, 12, 13, 14] : Seeds;

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Seeds))]
    public async Task Random_operations_leave_the_server_in_the_state_of_the_model(int seed)
    {
        // Arrange
        var wire = new ResponseHeaderRecorder();
        using var s3 = CreateClient(wire);
        var bucket = CairnServer.NewBucketName("vm");
        await s3.PutBucketAsync(bucket);
        var run = new VersioningModelRun(s3, wire, bucket, seed, KnownDeviations.FromEnvironment());

        // Act and assert: every operation's answer, and reads after it, against the model.
        await run.RunAsync(Operations);
        output.WriteLine($"seed {seed}: {run.Summary}");
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LockSeeds))]
    public async Task Random_operations_with_object_lock_leave_the_server_in_the_state_of_the_model(int seed)
    {
        // Arrange
        var deviations = KnownDeviations.FromEnvironment();
        if (deviations.NoObjectLockRules)
        {
            output.WriteLine($"not run: {deviations.Name} does not enforce Object Lock's rules");
            return;
        }
        var wire = new ResponseHeaderRecorder();
        using var s3 = CreateClient(wire);
        var bucket = CairnServer.NewBucketName("vl");
        var scenario = seed % 2 == 1 ? ObjectLockScenario.AtCreation : ObjectLockScenario.Later;
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = scenario == ObjectLockScenario.AtCreation ? true : null });
        var run = new VersioningModelRun(s3, wire, bucket, seed, deviations, scenario);

        // Act and assert: every operation's answer, and reads after it (lock headers, retention, legal hold), against the model.
        await run.RunAsync(LockOperations);
        output.WriteLine($"seed {seed} ({scenario}): {run.Summary}");
    }

    private AmazonS3Client CreateClient(ResponseHeaderRecorder wire)
    {
        var endpoint = Environment.GetEnvironmentVariable("CAIRN_MODEL_TEST_ENDPOINT");
        if (string.IsNullOrEmpty(endpoint))
        {
            return fixture.Server.CreateClient(config => config.HttpClientFactory = wire);
        }
        return new AmazonS3Client(new BasicAWSCredentials("model-test-access-key", "model-test-secret-key"), new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = CairnServer.Region,
            MaxErrorRetry = 0,
            HttpClientFactory = wire,
        });
    }
}
