using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>A distinct chunk of a body and the number of times the body uses it.</summary>
internal readonly record struct ChunkUse(ContentHash Hash, int Length, int Uses);
