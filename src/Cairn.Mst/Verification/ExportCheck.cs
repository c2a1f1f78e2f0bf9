using System.Text;
using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// One run of <see cref="CarVerifier"/>'s checks over an indexed CAR (see its remarks for the
/// contract). Partial files: <c>.Tree</c> walks the MST and rebuilds it (or, for a range, checks
/// each node's shape), <c>.Manifests</c> follows manifests, chunks and reachability.
/// </summary>
internal sealed partial class ExportCheck
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly CarBlockIndex _index;
    private readonly int _maxErrors;
    private readonly string? _prefix; // null: the whole bucket
    private readonly MstPrefixRange? _range; // null: the whole bucket
    private readonly byte[] _prefixBytes;
    private readonly List<string> _errors = [];
    private readonly HashSet<Cid> _reached = []; // every block the commit reaches (present or not)
    private readonly HashSet<Cid> _manifests = [];
    private readonly HashSet<Cid> _chunks = [];
    private readonly List<Leaf> _leaves = []; // the keys whose manifests are checked: all, or the range's and those the file holds
    private int _keys; // keys walked (in the range)
    private int _nodes;
    private bool _treeIntact = true; // every node read and sound, every key in order: the rebuild is meaningful
    private long _bytes;

    /// <param name="index">The indexed CAR.</param>
    /// <param name="prefix">Check the file as the export of the keys starting with it; null or empty: of the whole bucket.</param>
    /// <param name="maxErrors">Errors collected before the run stops.</param>
    public ExportCheck(CarBlockIndex index, string? prefix, int maxErrors)
    {
        _index = index;
        _maxErrors = maxErrors;
        _range = MstPrefixRange.For(prefix);
        _prefix = _range is null ? null : prefix;
        _prefixBytes = _range?.Prefix.ToArray() ?? [];
    }

    /// <summary>Runs every check; stops early after the error limit or when there is no commit to follow.</summary>
    public async Task<CarVerification> RunAsync(CancellationToken cancellationToken)
    {
        var root = _index.Roots[0]; // CarReader refuses a header without roots
        BucketCommit? commit = null;
        try
        {
            commit = await ReadCommitAsync(root, cancellationToken).ConfigureAwait(false);
            if (commit is not null)
            {
                await WalkTreeAsync(commit.Data, cancellationToken).ConfigureAwait(false);
                await CheckManifestsAsync(cancellationToken).ConfigureAwait(false);
                CheckReachability();
            }
        }
        catch (TooManyErrorsException)
        {
            _errors.Add($"Too many errors: verification stopped after {_maxErrors}.");
        }
        return new CarVerification(
            root, commit?.Bucket, commit?.Seq, commit?.Data,
            _keys, _nodes, _manifests.Count, _chunks.Count, _index.Count, _bytes, _errors, _prefix);
    }

    /// <summary>Check 1: one root, present, a bucket commit. Null when there is nothing to follow.</summary>
    private async Task<BucketCommit?> ReadCommitAsync(Cid root, CancellationToken cancellationToken)
    {
        if (_index.Roots.Count != 1)
        {
            // Still follow the first root: its own errors say more than this one alone.
            AddError($"The CAR header names {_index.Roots.Count} roots; an export names exactly one, its bucket commit.");
        }
        _reached.Add(root);
        var block = await _index.ReadAsync(root, cancellationToken).ConfigureAwait(false);
        if (block is null)
        {
            AddError($"Commit {root} (the header's root) is missing.");
            return null;
        }
        try
        {
            return BucketCommit.Decode(block);
        }
        catch (DagCborException ex)
        {
            AddError($"Commit {root} (the header's root) does not decode as a bucket commit: {ex.Message}");
            return null;
        }
    }

    /// <summary>Records a problem; past the limit, stops the run.</summary>
    private void AddError(string error)
    {
        if (_errors.Count >= _maxErrors)
        {
            throw new TooManyErrorsException();
        }
        _errors.Add(error);
    }

    /// <summary>A key for a message: quoted when it is UTF-8 (S3 keys are), hex otherwise.</summary>
    private static string Describe(byte[] key)
    {
        try
        {
            return $"'{StrictUtf8.GetString(key)}'";
        }
        catch (DecoderFallbackException)
        {
            return $"0x{Convert.ToHexString(key)}";
        }
    }

    /// <summary>A tree entry: its key, its value (the manifest) and the node holding it.</summary>
    private readonly record struct Leaf(byte[] Key, Cid Value, Cid Node);

    /// <summary>Unwinds the run once the error limit is reached.</summary>
    private sealed class TooManyErrorsException : Exception
    {
    }
}
