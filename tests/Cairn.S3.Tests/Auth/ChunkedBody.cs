using System.Text;
using Cairn.S3.Auth;

namespace Cairn.S3.Tests.Auth;

/// <summary>Builds aws-chunked bodies with the test signer, for any chunk sizes and trailers.</summary>
internal sealed class ChunkedBody
{
    public const string AmzDate = "20130524T000000Z";
    public const string Scope = "20130524/us-east-1/s3/aws4_request";
    public const string Seed = AwsChunkedExamples.SeedSignature;

    public static readonly byte[] SigningKey = TestSigner.SigningKey(TestSigner.SecretKey, "20130524", TestSigner.Region);

    public static ChunkSigningContext Context() => new(SigningKey, AmzDate, Scope, Convert.FromHexString(Seed));

    /// <summary>Frames <paramref name="payload"/> in chunks of <paramref name="chunkSizes"/> (the remainder goes in one last chunk).</summary>
    public static byte[] Build(
        byte[] payload,
        int[] chunkSizes,
        bool signed,
        IReadOnlyList<(string Name, string Value)>? trailers = null,
        bool signTrailers = false)
    {
        var body = new MemoryStream();
        var previous = Seed;
        var offset = 0;
        var sizes = new List<int>(chunkSizes);
        if (sizes.Sum() < payload.Length)
        {
            sizes.Add(payload.Length - sizes.Sum());
        }
        sizes.Add(0);
        foreach (var size in sizes)
        {
            var chunk = payload.AsSpan(offset, size);
            if (signed)
            {
                previous = TestSigner.ChunkSignature(SigningKey, TestSigner.VectorTime, TestSigner.Region, previous, chunk);
                Write(body, $"{size:x};chunk-signature={previous}\r\n");
            }
            else
            {
                Write(body, $"{size:x}\r\n");
            }
            body.Write(chunk);
            if (size > 0)
            {
                Write(body, "\r\n");
            }
            offset += size;
        }
        var canonical = new StringBuilder();
        foreach (var (name, value) in trailers ?? [])
        {
            Write(body, $"{name}:{value}\r\n");
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }
        if (signTrailers)
        {
            var signature = TestSigner.TrailerSignature(SigningKey, TestSigner.VectorTime, TestSigner.Region, previous, canonical.ToString());
            Write(body, $"x-amz-trailer-signature:{signature}\r\n");
        }
        Write(body, "\r\n");
        return body.ToArray();
    }

    public static byte[] Payload(int length, int seed = 5)
    {
        var payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));
}
