namespace Cairn.Mst;

/// <summary>
/// A block that is not a well-formed object manifest, or a manifest that breaks one of its rules
/// (<see cref="ObjectManifest.Validate"/>), so it can be neither written nor read.
/// </summary>
public sealed class ManifestFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ManifestFormatException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
