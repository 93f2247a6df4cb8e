using System.Collections.Concurrent;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// The encoded replies of one zone, keyed by the lookup key and found by a span of characters, so that a cached
/// lookup allocates nothing. Bounded: when full it starts afresh (every entry can be rebuilt from the enforcer's cache).
/// </summary>
internal sealed class ReplyCache(int maxEntries)
{
    private readonly ConcurrentDictionary<string, CachedReply> _replies = new(StringComparer.Ordinal);

    public int Count => _replies.Count;

    public bool TryGet(ReadOnlySpan<char> key, out CachedReply? reply) =>
        _replies.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out reply);

    public void Set(CachedReply reply)
    {
        if (_replies.Count >= maxEntries && !_replies.ContainsKey(reply.Key))
        {
            _replies.Clear();
        }

        _replies[reply.Key] = reply;
    }
}
