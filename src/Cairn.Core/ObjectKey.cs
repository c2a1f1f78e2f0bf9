using System.Text;

namespace Cairn.Core;

/// <summary>Object key rules: non-empty UTF-8, at most <see cref="S3Limits.MaxKeyBytes"/> bytes.</summary>
public static class ObjectKey
{
    /// <summary>Outcome of validating a key.</summary>
    public enum Validity
    {
        /// <summary>The key can be stored.</summary>
        Valid,
        /// <summary>The key is empty.</summary>
        Empty,
        /// <summary>The key's UTF-8 form is longer than the limit.</summary>
        TooLong,
    }

    /// <summary>Checks a decoded key.</summary>
    public static Validity Validate(string key)
    {
        if (key.Length == 0)
        {
            return Validity.Empty;
        }
        return Encoding.UTF8.GetByteCount(key) > S3Limits.MaxKeyBytes ? Validity.TooLong : Validity.Valid;
    }
}
