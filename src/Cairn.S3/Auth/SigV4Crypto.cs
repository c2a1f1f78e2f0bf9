using System.Security.Cryptography;
using System.Text;

namespace Cairn.S3.Auth;

/// <summary>Small SigV4 primitives: key derivation, hex in and out.</summary>
internal static class SigV4Crypto
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Service = "s3";
    public const string Terminator = "aws4_request";

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request").</summary>
    public static byte[] DeriveSigningKey(string secretKey, string date, string region)
    {
        var secret = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        Span<byte> key = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(date), key);
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region), key);
        HMACSHA256.HashData(key, "s3"u8, key);
        var signingKey = new byte[32];
        HMACSHA256.HashData(key, "aws4_request"u8, signingKey);
        CryptographicOperations.ZeroMemory(secret);
        CryptographicOperations.ZeroMemory(key);
        return signingKey;
    }

    /// <summary>Writes <paramref name="bytes"/> as lower-case hex ASCII into <paramref name="destination"/>.</summary>
    public static void WriteHexLower(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = HexDigits[bytes[i] >> 4];
            destination[(2 * i) + 1] = HexDigits[bytes[i] & 0xF];
        }
    }

    /// <summary>Parses exactly <c>2 * destination.Length</c> hex characters (either case).</summary>
    public static bool TryParseHex(ReadOnlySpan<char> hex, Span<byte> destination)
    {
        if (hex.Length != 2 * destination.Length)
        {
            return false;
        }
        for (var i = 0; i < destination.Length; i++)
        {
            var high = HexValue(hex[2 * i]);
            var low = HexValue(hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }
            destination[i] = (byte)((high << 4) | low);
        }
        return true;
    }

    /// <summary>Same as <see cref="TryParseHex(ReadOnlySpan{char}, Span{byte})"/> over ASCII bytes.</summary>
    public static bool TryParseHex(ReadOnlySpan<byte> hex, Span<byte> destination)
    {
        if (hex.Length != 2 * destination.Length)
        {
            return false;
        }
        for (var i = 0; i < destination.Length; i++)
        {
            var high = HexValue((char)hex[2 * i]);
            var low = HexValue((char)hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }
            destination[i] = (byte)((high << 4) | low);
        }
        return true;
    }

    /// <summary>True for 64 hex characters.</summary>
    public static bool IsSha256Hex(ReadOnlySpan<char> value)
    {
        if (value.Length != 64)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (HexValue(c) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
