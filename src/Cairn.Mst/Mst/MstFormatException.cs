namespace Cairn.Mst;

/// <summary>A block that is not a well-formed MST node.</summary>
public sealed class MstFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public MstFormatException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
