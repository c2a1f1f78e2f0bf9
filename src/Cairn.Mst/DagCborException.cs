namespace Cairn.Mst;

/// <summary>Bytes that are not strict DAG-CBOR, or not the shape a decoder expected.</summary>
public sealed class DagCborException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public DagCborException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
