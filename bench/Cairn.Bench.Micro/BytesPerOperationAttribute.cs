namespace Cairn.Bench.Micro;

/// <summary>
/// How many bytes one invocation of the benchmark method processes; <see cref="ThroughputColumn"/>
/// turns the mean time into MiB/s with it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = false)]
internal sealed class BytesPerOperationAttribute(int bytes) : Attribute
{
    /// <summary>Bytes processed per operation.</summary>
    public int Bytes { get; } = bytes;
}
