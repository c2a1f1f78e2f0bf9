using System.Security.Cryptography;
using System.Text;
using Cairn.S3.Errors;

namespace Cairn.S3.Auth;

/// <summary>The trailer section and the end-of-payload checks.</summary>
public sealed partial class AwsChunkedStream
{
    private const string TrailerSignatureName = "x-amz-trailer-signature";

    /// <summary>Takes one line after the final chunk; true when it ended the trailer section.</summary>
    private bool ProcessTrailerLine(Range range)
    {
        var line = _buffer.AsSpan(range);
        _trailerSectionLength += line.Length + 2;
        if (_trailerSectionLength > MaxTrailerSectionLength)
        {
            throw S3Errors.MalformedTrailerError("The trailing headers are too long.");
        }
        if (line.IsEmpty)
        {
            // AWS's trailer example puts an empty line between the final chunk and the trailers; SDKs do
            // not. Accept one such separator when trailers are declared and none has been read yet.
            if (HasTrailers && _trailerLines == 0 && !_skippedTrailerSeparator && _declaredTrailers.Count > 0)
            {
                _skippedTrailerSeparator = true;
                return false;
            }
            return true;
        }
        _trailerLines++;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || line.ContainsAnyInRange((byte)0x80, (byte)0xFF) || line.IndexOfAnyInRange((byte)0, (byte)0x08) >= 0)
        {
            throw S3Errors.MalformedTrailerError("A trailing header is not of the form name:value.");
        }
        var name = Ascii(line[..colon].Trim((byte)' ')).ToLowerInvariant();
        var value = Ascii(line[(colon + 1)..].Trim(" \t"u8));
        if (name == TrailerSignatureName)
        {
            if (_mode != PayloadMode.StreamingSignedTrailer || _hasTrailerSignature)
            {
                throw S3Errors.MalformedTrailerError("Unexpected x-amz-trailer-signature.");
            }
            if (!SigV4Crypto.TryParseHex(value, _claimedSignature))
            {
                throw S3Errors.SignatureDoesNotMatch("The x-amz-trailer-signature is not 64 hexadecimal digits.");
            }
            _hasTrailerSignature = true;
            return false;
        }
        if (_hasTrailerSignature || !HasTrailers || !IsDeclared(name))
        {
            throw S3Errors.MalformedTrailerError($"The trailing header {name} was not declared in x-amz-trailer.");
        }
        if (!_trailers.TryAdd(name, value))
        {
            throw S3Errors.MalformedTrailerError($"The trailing header {name} appears more than once.");
        }
        // The trailer signature covers "name:value\n" for each trailing header, in order.
        _hash?.AppendData(Encoding.ASCII.GetBytes(name + ":" + value + "\n"));
        return false;
    }

    private bool IsDeclared(string name)
    {
        foreach (var declared in _declaredTrailers)
        {
            if (string.Equals(declared, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Everything after the final chunk has been read: check the trailer signature, trailers and length.</summary>
    private void FinishPayload()
    {
        if (_mode == PayloadMode.StreamingSignedTrailer)
        {
            if (!_hasTrailerSignature)
            {
                throw S3Errors.MalformedTrailerError("The x-amz-trailer-signature trailing header is missing.");
            }
            Span<byte> trailerHash = stackalloc byte[32];
            _hash!.GetHashAndReset(trailerHash);
            Span<byte> expected = stackalloc byte[32];
            _signing!.ComputeTrailerSignature(_previousSignature, trailerHash, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, _claimedSignature))
            {
                throw S3Errors.SignatureDoesNotMatch();
            }
        }
        foreach (var declared in _declaredTrailers)
        {
            if (!_trailers.ContainsKey(declared))
            {
                throw S3Errors.MalformedTrailerError($"The trailing header {declared} declared in x-amz-trailer was not sent.");
            }
        }
        if (_decodedContentLength is { } length && _decodedTotal != length)
        {
            throw S3Errors.IncompleteBody(
                "The aws-chunked payload is shorter than x-amz-decoded-content-length.");
        }
        _state = State.AwaitEof;
    }
}
