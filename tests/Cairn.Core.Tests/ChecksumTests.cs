using System.Text;

namespace Cairn.Core.Tests;

public class ChecksumTests
{
    private static readonly byte[] CheckInput = "123456789"u8.ToArray();

    [Fact]
    public void Crc32_of_check_string_is_0xCBF43926()
    {
        Assert.Equal(0xCBF43926ul, CrcOf(ChecksumAlgorithm.Crc32, CheckInput));
    }

    [Fact]
    public void Crc32C_of_check_string_is_0xE3069283()
    {
        Assert.Equal(0xE3069283ul, CrcOf(ChecksumAlgorithm.Crc32C, CheckInput));
    }

    [Fact]
    public void Crc64Nvme_of_check_string_is_0xAE8B14860A799888()
    {
        Assert.Equal(0xAE8B14860A799888ul, CrcOf(ChecksumAlgorithm.Crc64Nvme, CheckInput));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "AAAAAA==")]
    [InlineData(ChecksumAlgorithm.Crc32C, "AAAAAA==")]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "AAAAAAAAAAA=")]
    [InlineData(ChecksumAlgorithm.Sha1, "2jmj7l5rSw0yVb/vlWAYkK/YBwk=")]
    [InlineData(ChecksumAlgorithm.Sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]
    public void Checksum_of_empty_input_has_the_documented_base64(ChecksumAlgorithm algorithm, string expected)
    {
        using var checksum = IncrementalChecksum.Create(algorithm);
        checksum.Append([]);

        Assert.Equal(expected, checksum.GetBase64AndReset());
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "y/Q5Jg==")]
    [InlineData(ChecksumAlgorithm.Crc32C, "4waSgw==")]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "rosUhgp5mIg=")]
    public void Checksum_base64_is_the_big_endian_digest(ChecksumAlgorithm algorithm, string expected)
    {
        using var checksum = IncrementalChecksum.Create(algorithm);
        checksum.Append(CheckInput);

        Assert.Equal(expected, checksum.GetBase64AndReset());
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "i9aeUg==")]
    [InlineData(ChecksumAlgorithm.Sha1, "e1AsOh9IyGCa4hLN+2Od7jlnP14=")]
    [InlineData(ChecksumAlgorithm.Sha256, "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=")]
    public void Checksum_of_hello_world_matches_reference_implementations(ChecksumAlgorithm algorithm, string expected)
    {
        using var checksum = IncrementalChecksum.Create(algorithm);
        checksum.Append("Hello world"u8);

        Assert.Equal(expected, checksum.GetBase64AndReset());
    }

    [Fact]
    public void Crc32C_of_the_aws_trailer_example_body_is_sOO8_Q()
    {
        // "Signature calculations for trailing headers": 66560 bytes of 'a' carry x-amz-checksum-crc32c:sOO8/Q==.
        var body = Enumerable.Repeat((byte)'a', 66560).ToArray();
        using var checksum = IncrementalChecksum.Create(ChecksumAlgorithm.Crc32C);
        checksum.Append(body);

        Assert.Equal("sOO8/Q==", checksum.GetBase64AndReset());
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public void Appends_in_random_splits_equal_one_shot(ChecksumAlgorithm algorithm)
    {
        var random = new Random(1234);
        var data = new byte[100_003];
        random.NextBytes(data);
        using var oneShot = IncrementalChecksum.Create(algorithm);
        oneShot.Append(data);
        var expected = oneShot.GetHashAndReset();

        for (var round = 0; round < 20; round++)
        {
            using var pieces = IncrementalChecksum.Create(algorithm);
            var offset = 0;
            while (offset < data.Length)
            {
                var length = Math.Min(data.Length - offset, random.Next(0, round % 2 == 0 ? 17 : 9000));
                pieces.Append(data.AsSpan(offset, length));
                offset += length;
            }

            Assert.Equal(expected, pieces.GetHashAndReset());
        }
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public void GetHashAndReset_starts_over(ChecksumAlgorithm algorithm)
    {
        using var checksum = IncrementalChecksum.Create(algorithm);
        checksum.Append("first"u8);
        _ = checksum.GetHashAndReset();
        checksum.Append(CheckInput);
        var afterReset = checksum.GetHashAndReset();

        using var fresh = IncrementalChecksum.Create(algorithm);
        fresh.Append(CheckInput);
        Assert.Equal(fresh.GetHashAndReset(), afterReset);
        Assert.Equal(ChecksumAlgorithms.DigestLength(algorithm), afterReset.Length);
    }

    [Fact]
    public void Crc64Nvme_equals_the_bitwise_definition_on_random_data()
    {
        // Lengths past 64 bytes reach the library's vectorized folding, not only its tail loop.
        var random = new Random(99);
        for (var length = 0; length < 3000; length += length < 300 ? 1 : 61)
        {
            var data = new byte[length];
            random.NextBytes(data);

            Assert.Equal(BitwiseCrc64Nvme(data), CrcOf(ChecksumAlgorithm.Crc64Nvme, data));
        }
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "CRC32", "x-amz-checksum-crc32", 4)]
    [InlineData(ChecksumAlgorithm.Crc32C, "CRC32C", "x-amz-checksum-crc32c", 4)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", 8)]
    [InlineData(ChecksumAlgorithm.Sha1, "SHA1", "x-amz-checksum-sha1", 20)]
    [InlineData(ChecksumAlgorithm.Sha256, "SHA256", "x-amz-checksum-sha256", 32)]
    public void Algorithm_names_round_trip(ChecksumAlgorithm algorithm, string wire, string header, int length)
    {
        Assert.Equal(wire, ChecksumAlgorithms.WireName(algorithm));
        Assert.Equal(header, ChecksumAlgorithms.HeaderName(algorithm));
        Assert.Equal(length, ChecksumAlgorithms.DigestLength(algorithm));
        Assert.True(ChecksumAlgorithms.TryParseWireName(wire.ToLowerInvariant(), out var fromWire));
        Assert.Equal(algorithm, fromWire);
        Assert.True(ChecksumAlgorithms.TryParseHeaderName(header.ToUpperInvariant(), out var fromHeader));
        Assert.Equal(algorithm, fromHeader);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MD5")]
    [InlineData("CRC64")]
    [InlineData("x-amz-checksum-md5")]
    public void Unknown_algorithm_names_do_not_parse(string name)
    {
        Assert.False(ChecksumAlgorithms.TryParseWireName(name, out _));
        Assert.False(ChecksumAlgorithms.TryParseHeaderName(name, out _));
    }

    [Fact]
    public void All_lists_every_algorithm_once()
    {
        Assert.Equal(Enum.GetValues<ChecksumAlgorithm>(), ChecksumAlgorithms.All);
    }

    public static TheoryData<ChecksumAlgorithm> AllAlgorithms() => new(Enum.GetValues<ChecksumAlgorithm>());

    /// <summary>A CRC as the integer S3's big-endian digest encodes.</summary>
    private static ulong CrcOf(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        using var checksum = IncrementalChecksum.Create(algorithm);
        checksum.Append(data);
        var digest = checksum.GetHashAndReset();
        return digest.Length == 4
            ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(digest)
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    // The definition, one bit at a time, MSB-first on the unreflected polynomial after reflecting the input:
    // written independently of System.IO.Hashing so the two cannot share a mistake.
    private static ulong BitwiseCrc64Nvme(ReadOnlySpan<byte> data)
    {
        const ulong poly = 0xAD93D23594C93659;
        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc ^= (ulong)Reflect(b, 8) << 56;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & (1ul << 63)) != 0 ? (crc << 1) ^ poly : crc << 1;
            }
        }
        return Reflect(crc, 64) ^ ulong.MaxValue;
    }

    private static ulong Reflect(ulong value, int bits)
    {
        ulong result = 0;
        for (var i = 0; i < bits; i++)
        {
            result = (result << 1) | ((value >> i) & 1);
        }
        return result;
    }

    [Fact]
    public void Bitwise_reference_itself_gives_the_check_value()
    {
        Assert.Equal(0xAE8B14860A799888ul, BitwiseCrc64Nvme(Encoding.ASCII.GetBytes("123456789")));
    }
}
