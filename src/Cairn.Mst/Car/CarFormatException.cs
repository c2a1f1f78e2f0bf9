namespace Cairn.Mst;

/// <summary>A CAR stream that is not a well-formed CARv1 whose blocks match their CIDs.</summary>
public sealed class CarFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public CarFormatException(CarFormatError error, long offset, string message, Exception? innerException = null)
        : base($"{message} (CAR byte offset {offset})", innerException)
    {
        Error = error;
        Offset = offset;
    }

    /// <summary>The kind of fault.</summary>
    public CarFormatError Error { get; }

    /// <summary>The stream offset where the faulty header or section starts.</summary>
    public long Offset { get; }
}
