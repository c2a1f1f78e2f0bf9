using BenchmarkDotNet.Attributes;
using Cairn.S3.Auth;
using Microsoft.AspNetCore.Http;

namespace Cairn.Bench.Micro;

/// <summary>
/// <see cref="SigV4Verifier.Verify"/> on a GET as an AWS SDK signs it (Authorization header) and on a
/// presigned GET URL. Only verification is measured; the requests are signed once in setup. The
/// verifier's signing-key cache is warm after the first call, as it is in a running server.
/// </summary>
public class SigV4VerifyBenchmarks
{
    private const string AccessKeyId = "AKIACAIRNBENCHMARK01";
    private const string SecretKey = "cairn/bench/secret/key/0123456789ABCDEFGHIJ";
    private const string Region = "us-east-1";
    private const string Host = "localhost:9000";
    private const string ObjectPath = "/media/photos/2024/06/img-000042.jpg";
    private const string EmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string UserAgent = "aws-sdk-dotnet-coreclr/4.0.102.4 ua/2.1 os/linux md/framework#net10.0";

    private static readonly DateTimeOffset SignedAt = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private SigV4Verifier _verifier = null!;
    private SigV4Request _headerSignedGet;
    private SigV4Request _presignedGet;

    [GlobalSetup]
    public void Setup()
    {
        var credentials = new StaticCredentialStore().Add(AccessKeyId, SecretKey, "bench");
        _verifier = new SigV4Verifier(credentials, Region, new FixedTimeProvider(SignedAt.AddSeconds(30)));
        _headerSignedGet = BuildHeaderSignedGet();
        _presignedGet = BuildPresignedGet();

        // Measuring a rejected request would time the error path; make sure both are accepted.
        if (_verifier.Verify(_headerSignedGet).IsPresigned || !_verifier.Verify(_presignedGet).IsPresigned)
        {
            throw new InvalidOperationException("The signed requests did not verify as expected.");
        }
    }

    [Benchmark]
    public AuthResult VerifyHeaderSignedGet() => _verifier.Verify(_headerSignedGet);

    [Benchmark]
    public AuthResult VerifyPresignedGet() => _verifier.Verify(_presignedGet);

    /// <summary>The headers an AWS SDK sends with GetObject: its invocation headers signed, User-Agent not.</summary>
    private static SigV4Request BuildHeaderSignedGet()
    {
        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["amz-sdk-invocation-id"] = "3f1c9f0e-6a52-4d7e-9b3a-5e2f0c8d1a47",
            ["amz-sdk-request"] = "attempt=1; max=5",
            ["host"] = Host,
            ["x-amz-content-sha256"] = EmptyBodySha256,
            ["x-amz-date"] = RequestSigner.AmzDate(SignedAt),
        };
        var signature = RequestSigner.Sign(SecretKey, Region, SignedAt, "GET", ObjectPath, "", signed, EmptyBodySha256);
        var headers = new HeaderDictionary { ["User-Agent"] = UserAgent };
        foreach (var (name, value) in signed)
        {
            headers[name] = value;
        }
        headers["Authorization"] = $"{RequestSigner.Algorithm} Credential={AccessKeyId}/{RequestSigner.Scope(SignedAt, Region)}, "
            + $"SignedHeaders={RequestSigner.SignedHeaderList(signed)}, Signature={signature}";
        return new SigV4Request("GET", ObjectPath, "", headers);
    }

    /// <summary>A presigned GetObject URL valid for an hour, signing only host, as the SDKs make them.</summary>
    private static SigV4Request BuildPresignedGet()
    {
        var credential = Uri.EscapeDataString($"{AccessKeyId}/{RequestSigner.Scope(SignedAt, Region)}");
        // Already in canonical order: upper-case X-Amz-* sort before x-id in byte order.
        var canonicalQuery = $"X-Amz-Algorithm={RequestSigner.Algorithm}&X-Amz-Credential={credential}"
            + $"&X-Amz-Date={RequestSigner.AmzDate(SignedAt)}&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&x-id=GetObject";
        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = Host };
        var signature = RequestSigner.Sign(SecretKey, Region, SignedAt, "GET", ObjectPath, canonicalQuery, signed, "UNSIGNED-PAYLOAD");
        var headers = new HeaderDictionary { ["Host"] = Host, ["User-Agent"] = UserAgent };
        return new SigV4Request("GET", ObjectPath, canonicalQuery + "&X-Amz-Signature=" + signature, headers);
    }
}
