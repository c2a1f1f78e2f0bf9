namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// What writers sent to each key and what the server acknowledged, as SHA-256 hex of the bodies.
/// After a crash a key may hold any body sent to it since the last time it was observed (a PUT whose
/// 2xx was lost may have committed), but nothing else; a key with an acknowledged PUT must exist.
/// </summary>
internal sealed class UploadLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _keys = new(StringComparer.Ordinal);

    /// <summary>Called before the request is sent.</summary>
    public void RecordSent(string key, string sha256)
    {
        lock (_lock)
        {
            if (!_keys.TryGetValue(key, out var entry))
            {
                _keys[key] = entry = new Entry();
            }
            entry.Candidates.Add(sha256);
        }
    }

    /// <summary>Called when the server answered 2xx.</summary>
    public void RecordAcknowledged(string key)
    {
        lock (_lock)
        {
            _keys[key].MustExist = true;
        }
    }

    /// <summary>Every key ever sent whose state is still open: it may exist (or must).</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_lock)
            {
                return [.. _keys.Keys];
            }
        }
    }

    public bool MustExist(string key)
    {
        lock (_lock)
        {
            return _keys.TryGetValue(key, out var entry) && entry.MustExist;
        }
    }

    /// <summary>Whether <paramref name="sha256"/> is a body the key may hold now; false for a key never sent.</summary>
    public bool MayHold(string key, string sha256)
    {
        lock (_lock)
        {
            return _keys.TryGetValue(key, out var entry) && entry.Candidates.Contains(sha256);
        }
    }

    /// <summary>
    /// Records what a restarted server holds, after it was checked: a present key holds exactly the
    /// observed body from now on (and must keep it); an absent key is forgotten, so it may never
    /// appear later unless written again.
    /// </summary>
    public void Settle(IReadOnlyDictionary<string, string> observed)
    {
        lock (_lock)
        {
            foreach (var key in _keys.Keys.ToList())
            {
                if (observed.TryGetValue(key, out var sha256))
                {
                    _keys[key] = new Entry { MustExist = true, Candidates = { sha256 } };
                }
                else
                {
                    _keys.Remove(key);
                }
            }
        }
    }

    private sealed class Entry
    {
        public HashSet<string> Candidates { get; } = new(StringComparer.Ordinal);

        public bool MustExist { get; set; }
    }
}
