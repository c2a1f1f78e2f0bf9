using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Cairn.Core.Tests;

public class MultipartChecksumTests
{
    public static TheoryData<ChecksumAlgorithm, int> CrcsAndLengths()
    {
        var data = new TheoryData<ChecksumAlgorithm, int>();
        foreach (var algorithm in new[] { ChecksumAlgorithm.Crc32, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Crc64Nvme })
        {
            foreach (var length in new[] { 0, 1, 7, 8, 4096, (5 * 1024 * 1024) + 3 })
            {
                data.Add(algorithm, length);
            }
        }
        return data;
    }

    private static ulong Crc(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => Crc32.HashToUInt32(data),
        ChecksumAlgorithm.Crc32C => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data),
        ChecksumAlgorithm.Crc64Nvme => Crc64.HashToUInt64(Crc64ParameterSet.Nvme, data),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    private static ulong Combine(ChecksumAlgorithm algorithm, ulong crcA, ulong crcB, long lengthB) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => CrcCombine.Crc32((uint)crcA, (uint)crcB, lengthB),
        ChecksumAlgorithm.Crc32C => CrcCombine.Crc32C((uint)crcA, (uint)crcB, lengthB),
        ChecksumAlgorithm.Crc64Nvme => CrcCombine.Crc64Nvme(crcA, crcB, lengthB),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    private static string Base64Of(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        using var checksum = IncrementalChecksum.Create(algorithm);
        checksum.Append(data);
        return checksum.GetBase64AndReset();
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [MemberData(nameof(CrcsAndLengths))]
    public void Combining_the_CRCs_of_a_split_equals_the_CRC_of_the_whole(ChecksumAlgorithm algorithm, int length)
    {
        // Arrange
        var data = RandomBytes(length, seed: length);
        var whole = Crc(algorithm, data);
        var random = new Random(length + 1);
        int[] splits = [0, length, length / 2, random.Next(0, length + 1), random.Next(0, length + 1)];

        foreach (var split in splits)
        {
            // Act
            var combined = Combine(algorithm, Crc(algorithm, data.AsSpan(0, split)), Crc(algorithm, data.AsSpan(split)), length - split);

            // Assert
            Assert.Equal(whole, combined);
        }
    }

    [Theory]
    [MemberData(nameof(CrcsAndLengths))]
    public void Full_object_checksum_of_random_parts_equals_the_checksum_of_the_whole(ChecksumAlgorithm algorithm, int length)
    {
        // Arrange: cut into 1..9 parts at random points (empty parts included).
        var data = RandomBytes(length, seed: length + 7);
        var random = new Random(length);
        for (var round = 0; round < 5; round++)
        {
            var cuts = Enumerable.Range(0, random.Next(0, 9)).Select(_ => random.Next(0, length + 1)).Append(0).Append(length).Order().ToArray();
            var parts = new List<(string Base64, long Length)>();
            for (var i = 1; i < cuts.Length; i++)
            {
                var part = data.AsSpan(cuts[i - 1], cuts[i] - cuts[i - 1]);
                parts.Add((Base64Of(algorithm, part), part.Length));
            }

            // Act
            var combined = MultipartChecksum.Combine(algorithm, MultipartChecksum.FullObject, parts);

            // Assert
            Assert.Equal(Base64Of(algorithm, data), combined);
        }
    }

    [Fact]
    public void Combine_with_an_empty_second_range_returns_the_first_CRC()
    {
        Assert.Equal(0xCBF43926u, CrcCombine.Crc32(0xCBF43926u, 0, 0));
        Assert.Equal(0xE3069283u, CrcCombine.Crc32C(0xE3069283u, 0, 0));
        Assert.Equal(0xAE8B14860A799888ul, CrcCombine.Crc64Nvme(0xAE8B14860A799888ul, 0, 0));
    }

    [Fact]
    public void Combine_of_the_check_string_split_in_two_gives_the_check_values()
    {
        var head = "1234"u8;
        var tail = "56789"u8;

        Assert.Equal(0xCBF43926u, CrcCombine.Crc32(Crc32.HashToUInt32(head), Crc32.HashToUInt32(tail), tail.Length));
        Assert.Equal(0xE3069283u, CrcCombine.Crc32C(
            Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, head), Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, tail), tail.Length));
        Assert.Equal(0xAE8B14860A799888ul, CrcCombine.Crc64Nvme(
            Crc64.HashToUInt64(Crc64ParameterSet.Nvme, head), Crc64.HashToUInt64(Crc64ParameterSet.Nvme, tail), tail.Length));
    }

    private delegate nuint ZlibCrc32Combine64(nuint crc1, nuint crc2, long length2);

    [Fact]
    public void Crc32_Combine_agrees_with_zlib_crc32_combine64_for_large_lengths()
    {
        // Arrange: zlib's own implementation as the independent oracle (libz.so.1; Linux x64, so uLong is 64 bits).
        Assert.True(NativeLibrary.TryLoad("libz.so.1", out var zlib));
        var combine64 = Marshal.GetDelegateForFunctionPointer<ZlibCrc32Combine64>(NativeLibrary.GetExport(zlib, "crc32_combine64"));
        var random = new Random(42);
        long[] lengths = [0, 1, 3, 4, 1 << 20, 5L << 30, (5L << 40) + 12345, long.MaxValue];

        foreach (var length in lengths)
        {
            var a = (uint)random.NextInt64(0, uint.MaxValue);
            var b = (uint)random.NextInt64(0, uint.MaxValue);

            // Act
            var ours = CrcCombine.Crc32(a, b, length);

            // Assert
            Assert.Equal((uint)combine64(a, b, length), ours);
        }
    }

    [Fact]
    public void Combine_rejects_a_negative_length()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CrcCombine.Crc32(0, 0, -1));
    }

    [Fact]
    public void Composite_CRC32_of_five_parts_matches_a_value_returned_by_S3()
    {
        // Arrange: GetObjectAttributes output of a 5-part CRC32 upload to AWS S3, quoted in
        // aws-samples/amazon-s3-checksum-verification#6 (S3 sends Checksum without the "-5" there).
        (string, long)[] parts = [("/HahzA==", 20971520), ("HrlK1A==", 20971520), ("bIrofQ==", 20971520), ("ANviCQ==", 20971520), ("CgbEDA==", 20971520)];

        // Act
        var value = MultipartChecksum.Combine(ChecksumAlgorithm.Crc32, MultipartChecksum.Composite, parts);

        // Assert
        Assert.Equal("lMiKhQ==-5", value);
    }

    [Fact]
    public void Composite_SHA256_of_three_parts_matches_a_value_returned_by_S3()
    {
        // Arrange: UploadPart answers and the CompleteMultipartUpload ChecksumSHA256 of a 3-part upload
        // (5 MiB, 5 MiB, 1 MiB) to AWS S3 eu-west-1, quoted in floci-io/floci#3083.
        (string, long)[] parts =
        [
            ("lcKa6Boe7a167tUCN5C4OaFygGSYD8MBnBARTrdL+1w=", 5 << 20),
            ("gHjhbUT4oo2tSCtSZJdlKi+jeNXJT+VImqdPXsXvkOc=", 5 << 20),
            ("4l9PQ3zOPZ0oGFvknFX+J4zZwE4WMzO+l3r8XrbWOeM=", 1 << 20),
        ];

        // Act
        var value = MultipartChecksum.Combine(ChecksumAlgorithm.Sha256, MultipartChecksum.Composite, parts);

        // Assert
        Assert.Equal("rVWtNbadtsaKXJAcgWPWjifHzJaXde/iV4jaJAOdivc=-3", value);
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32)]
    [InlineData(ChecksumAlgorithm.Crc32C)]
    [InlineData(ChecksumAlgorithm.Sha1)]
    [InlineData(ChecksumAlgorithm.Sha256)]
    public void Composite_is_the_checksum_of_the_concatenated_raw_part_digests_with_the_part_count(ChecksumAlgorithm algorithm)
    {
        // Arrange
        byte[][] bodies = [RandomBytes(1000, 1), RandomBytes(1, 2), RandomBytes(0, 3), RandomBytes(70000, 4)];
        var digests = bodies.Select(body => Digest(algorithm, body)).ToArray();
        var expected = Convert.ToBase64String(Digest(algorithm, digests.SelectMany(d => d).ToArray())) + "-4";

        // Act
        var value = MultipartChecksum.Combine(
            algorithm, MultipartChecksum.Composite, digests.Select((d, i) => (Convert.ToBase64String(d), (long)bodies[i].Length)).ToArray());

        // Assert
        Assert.Equal(expected, value);
    }

    /// <summary>Digests computed without IncrementalChecksum: the BCL hashes and System.IO.Hashing directly.</summary>
    private static byte[] Digest(ChecksumAlgorithm algorithm, byte[] data)
    {
        var digest = new byte[ChecksumAlgorithms.DigestLength(algorithm)];
        switch (algorithm)
        {
            case ChecksumAlgorithm.Sha1:
                return SHA1.HashData(data);
            case ChecksumAlgorithm.Sha256:
                return SHA256.HashData(data);
            case ChecksumAlgorithm.Crc32:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(digest, Crc32.HashToUInt32(data));
                return digest;
            case ChecksumAlgorithm.Crc32C:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(digest, Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data));
                return digest;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm));
        }
    }

    [Fact]
    public void Composite_of_a_single_part_still_carries_the_suffix()
    {
        var part = Base64Of(ChecksumAlgorithm.Crc32C, "123456789"u8);

        var value = MultipartChecksum.Combine(ChecksumAlgorithm.Crc32C, MultipartChecksum.Composite, [(part, 9)]);

        Assert.Equal(Base64Of(ChecksumAlgorithm.Crc32C, Convert.FromBase64String(part)) + "-1", value);
    }

    [Fact]
    public void Full_object_has_no_part_count_suffix()
    {
        var value = MultipartChecksum.Combine(ChecksumAlgorithm.Crc64Nvme, MultipartChecksum.FullObject, [(Base64Of(ChecksumAlgorithm.Crc64Nvme, "1234"u8), 4), (Base64Of(ChecksumAlgorithm.Crc64Nvme, "56789"u8), 5)]);

        Assert.Equal("rosUhgp5mIg=", value);
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "COMPOSITE", true)]
    [InlineData(ChecksumAlgorithm.Crc32, "FULL_OBJECT", true)]
    [InlineData(ChecksumAlgorithm.Crc32C, "COMPOSITE", true)]
    [InlineData(ChecksumAlgorithm.Crc32C, "FULL_OBJECT", true)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "COMPOSITE", false)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "FULL_OBJECT", true)]
    [InlineData(ChecksumAlgorithm.Sha1, "COMPOSITE", true)]
    [InlineData(ChecksumAlgorithm.Sha1, "FULL_OBJECT", false)]
    [InlineData(ChecksumAlgorithm.Sha256, "COMPOSITE", true)]
    [InlineData(ChecksumAlgorithm.Sha256, "FULL_OBJECT", false)]
    [InlineData(ChecksumAlgorithm.Crc32, "composite", false)]
    [InlineData(ChecksumAlgorithm.Crc32, "", false)]
    [InlineData(ChecksumAlgorithm.Crc32, null, false)]
    public void IsSupported_follows_the_S3_table_of_algorithms_per_checksum_type(ChecksumAlgorithm algorithm, string? type, bool expected)
    {
        Assert.Equal(expected, MultipartChecksum.IsSupported(algorithm, type));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "COMPOSITE")]
    [InlineData(ChecksumAlgorithm.Crc32C, "COMPOSITE")]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "FULL_OBJECT")]
    [InlineData(ChecksumAlgorithm.Sha1, "COMPOSITE")]
    [InlineData(ChecksumAlgorithm.Sha256, "COMPOSITE")]
    public void DefaultType_is_full_object_only_for_CRC64NVME(ChecksumAlgorithm algorithm, string expected)
    {
        var type = MultipartChecksum.DefaultType(algorithm);

        Assert.Equal(expected, type);
        Assert.True(MultipartChecksum.IsSupported(algorithm, type));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "COMPOSITE")]
    [InlineData(ChecksumAlgorithm.Sha256, "FULL_OBJECT")]
    [InlineData(ChecksumAlgorithm.Crc32, "BOTH")]
    public void Combine_returns_null_for_an_unsupported_type(ChecksumAlgorithm algorithm, string type)
    {
        Assert.Null(MultipartChecksum.Combine(algorithm, type, [("AAAAAA==", 1)]));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "FULL_OBJECT", "not base64", 1)]
    [InlineData(ChecksumAlgorithm.Crc32, "COMPOSITE", "AAAAAAAAAAA=", 1)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "FULL_OBJECT", "AAAAAA==", 1)]
    [InlineData(ChecksumAlgorithm.Sha256, "COMPOSITE", "2jmj7l5rSw0yVb/vlWAYkK/YBwk=", 1)]
    [InlineData(ChecksumAlgorithm.Crc32, "COMPOSITE", "y/Q5Jg==-2", 1)]
    [InlineData(ChecksumAlgorithm.Crc32C, "FULL_OBJECT", "AAAAAA==", -1)]
    public void Combine_rejects_malformed_parts(ChecksumAlgorithm algorithm, string type, string part, long length)
    {
        Assert.Throws<ArgumentException>(() => MultipartChecksum.Combine(algorithm, type, [(part, length)]));
    }

    [Fact]
    public void Combine_rejects_an_empty_part_list()
    {
        Assert.Throws<ArgumentException>(() => MultipartChecksum.Combine(ChecksumAlgorithm.Crc32, MultipartChecksum.Composite, []));
    }
}
