using Cairn.S3.Errors;
using Cairn.S3.Routing;

namespace Cairn.S3.Handlers;

/// <summary>
/// A request header that asks S3 to do something with the data that Cairn does not do, the
/// operations the S3 API reference documents it on, and how a request carrying it is answered.
/// </summary>
/// <param name="Name">The header name, lower case.</param>
/// <param name="Feature">What the header asks for, in words (for the log and the docs).</param>
/// <param name="Operations">The operations it applies to, as the S3 API reference lists its request headers.</param>
public sealed record RefusedHeader(string Name, string Feature, IReadOnlyList<S3Operation> Operations)
{
    /// <summary>
    /// Values that ask for nothing beyond what Cairn does anyway (<c>x-amz-acl: private</c>,
    /// <c>x-amz-storage-class: STANDARD</c>): a request carrying one of these is served.
    /// </summary>
    public IReadOnlyList<string> AcceptedValues { get; init; } = [];

    /// <summary>
    /// The values S3 knows; when set, any other value is bad input and gets <see cref="UnknownValue"/>
    /// (as S3 answers it), not <see cref="Error"/>.
    /// </summary>
    public IReadOnlyList<string> KnownValues { get; init; } = [];

    /// <summary>The answer to a value outside <see cref="KnownValues"/>.</summary>
    public Func<string, string, S3Exception>? UnknownValue { get; init; }

    /// <summary>The answer to any other value: 501 NotImplemented unless S3 documents another.</summary>
    public S3ErrorCode Error { get; init; } = S3ErrorCode.NotImplemented;

    /// <summary>True when the header is documented on <paramref name="operation"/>.</summary>
    public bool AppliesTo(S3Operation operation)
    {
        foreach (var candidate in Operations)
        {
            if (candidate == operation)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The error for a request that carries this header with <paramref name="value"/>, or null when it is served.</summary>
    public S3Exception? Refusal(string value)
    {
        if (Contains(AcceptedValues, value))
        {
            return null;
        }
        if (KnownValues.Count > 0 && !Contains(KnownValues, value))
        {
            return UnknownValue!(Name, value);
        }
        return Error switch
        {
            S3ErrorCode.NotImplemented => S3Errors.HeaderNotImplemented(Name),
            _ => S3Errors.Of(Error),
        };
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        foreach (var candidate in values)
        {
            if (string.Equals(candidate, value, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
