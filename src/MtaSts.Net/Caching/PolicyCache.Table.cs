using System.Numerics;
using System.Runtime.InteropServices;

namespace MtaSts.Caching;

/// <summary>
/// The map under the cache: a hash table that readers walk without locks or interlocked operations, written under one
/// lock. Every node is immutable; a write builds the nodes it changes and publishes the bucket (or, when the table
/// grows, the whole table) with a release write, so a reader sees either the old chain or the new one, never a mix.
/// A lookup is one hash of the name, two array reads and a short chain: what a cache hit, the hot path of every
/// delivery, costs on top of a <see cref="Dictionary{TKey,TValue}"/> lookup is kept to the freshness test.
/// </summary>
/// <remarks>
/// Names are hashed with a fast non-randomised function until a chain grows past <see cref="CollisionLimit"/>; from
/// then on with the runtime's randomised string hash (Marvin, seeded per process). Recipient domains can be chosen by
/// an attacker, who can compute collisions for a fixed function but not for a seeded one: the same defence as the
/// runtime's own <see cref="Dictionary{TKey,TValue}"/> of strings.
/// </remarks>
internal sealed partial class PolicyCache
{
    /// <summary>The longest chain tolerated before switching to the randomised hash (the runtime's threshold).</summary>
    internal const int CollisionLimit = 100;

    private const int InitialBuckets = 16;

    private readonly Lock _writeLock = new();
    private volatile Table _table = new(new Node?[InitialBuckets], randomized: false);
    private int _count;

    /// <summary>The number of entries.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether names are hashed with the randomised function (after a collision flood).</summary>
    internal bool IsRandomized => _table.Randomized;

    /// <summary>The entry for <paramref name="domain"/>, or <see langword="null"/>. Never blocks.</summary>
    public CacheEntry? Get(string domain)
    {
        var table = _table;
        var hash = table.Hash(domain);
        return Find(Volatile.Read(ref table.Buckets[table.Index(hash)]), domain);
    }

    private static CacheEntry? Find(Node? node, string domain)
    {
        while (node is not null)
        {
            if (string.Equals(node.Key, domain, StringComparison.Ordinal))
            {
                return node.Value;
            }

            node = node.Next;
        }

        return null;
    }

    /// <summary>The entries now held (a snapshot), for the refresher and eviction.</summary>
    public IEnumerable<CacheEntry> Entries
    {
        get
        {
            var table = _table;
            List<CacheEntry> entries = new(Count);
            foreach (var head in table.Buckets)
            {
                for (var node = head; node is not null; node = node.Next)
                {
                    entries.Add(node.Value);
                }
            }

            return entries;
        }
    }

    /// <summary>Drops <paramref name="domain"/>, if held.</summary>
    public void Remove(string domain) => Remove(domain, expected: null);

    /// <summary>Drops <paramref name="domain"/> if it still holds <paramref name="expected"/> (any entry when null):
    /// eviction never drops an entry stored after it chose its victims.</summary>
    public void Remove(string domain, CacheEntry? expected)
    {
        lock (_writeLock)
        {
            var table = _table;
            var hash = table.Hash(domain);
            ref var bucket = ref table.Buckets[table.Index(hash)];
            if (expected is not null && !ReferenceEquals(Find(bucket, domain), expected))
            {
                return;
            }

            if (Without(bucket, domain, out var removed) is var rest && removed)
            {
                Volatile.Write(ref bucket, rest);
                _count--;
            }
        }
    }

    /// <summary>The longest chain in the table, for tests of the collision defence.</summary>
    internal int LongestChain => _table.Buckets.Max(Length);

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        lock (_writeLock)
        {
            _table = new Table(new Node?[InitialBuckets], _table.Randomized);
            _count = 0;
        }
    }

    // Adds or replaces, under the write lock.
    private void Put(string domain, CacheEntry entry)
    {
        lock (_writeLock)
        {
            var table = _table;
            var hash = table.Hash(domain);
            ref var bucket = ref table.Buckets[table.Index(hash)];
            var rest = Without(bucket, domain, out var replaced);
            var head = new Node(domain, entry, rest);
            Volatile.Write(ref bucket, head);
            if (!replaced)
            {
                _count++;
            }

            if (!table.Randomized && Length(head) > CollisionLimit)
            {
                _table = Rebuild(table, table.Buckets.Length, randomized: true); // a collision flood: seed the hash
            }
            else if (_count > table.Buckets.Length)
            {
                _table = Rebuild(table, table.Buckets.Length * 2, table.Randomized); // load factor 1
            }
        }
    }

    // The chain without the node for domain: the nodes before it are copied (nodes never change), those after shared.
    private static Node? Without(Node? chain, string domain, out bool found)
    {
        found = false;
        if (chain is null)
        {
            return null;
        }

        if (string.Equals(chain.Key, domain, StringComparison.Ordinal))
        {
            found = true;
            return chain.Next;
        }

        var rest = Without(chain.Next, domain, out found);
        return found ? new Node(chain.Key, chain.Value, rest) : chain;
    }

    private static int Length(Node? chain)
    {
        var length = 0;
        for (; chain is not null; chain = chain.Next)
        {
            length++;
        }

        return length;
    }

    private static Table Rebuild(Table from, int buckets, bool randomized)
    {
        var to = new Table(new Node?[buckets], randomized);
        foreach (var head in from.Buckets)
        {
            for (var node = head; node is not null; node = node.Next)
            {
                ref var bucket = ref to.Buckets[to.Index(to.Hash(node.Key))];
                bucket = new Node(node.Key, node.Value, bucket);
            }
        }

        return to;
    }

    /// <summary>The fixed hash: two interleaved lanes over the name's UTF-16 code units, two at a time.</summary>
    internal static int FixedHash(string name)
    {
        var words = MemoryMarshal.Cast<char, uint>(name.AsSpan());
        uint lane1 = 0x15051505u, lane2 = 0x15051505u ^ (uint)name.Length;
        var i = 0;
        for (; i + 1 < words.Length; i += 2)
        {
            lane1 = (BitOperations.RotateLeft(lane1, 5) + lane1) ^ words[i];
            lane2 = (BitOperations.RotateLeft(lane2, 5) + lane2) ^ words[i + 1];
        }

        if (i < words.Length)
        {
            lane1 = (BitOperations.RotateLeft(lane1, 5) + lane1) ^ words[i];
        }

        if ((name.Length & 1) != 0)
        {
            lane2 = (BitOperations.RotateLeft(lane2, 5) + lane2) ^ name[^1];
        }

        return (int)(lane1 + (lane2 * 1_566_083_941u));
    }

    // No stored hash: chains are short, and eight bytes per domain count at 100,000 domains.
    private sealed class Node(string key, CacheEntry value, Node? next)
    {
        public readonly string Key = key;
        public readonly CacheEntry Value = value;
        public readonly Node? Next = next;
    }

    private sealed class Table(Node?[] buckets, bool randomized)
    {
        public readonly Node?[] Buckets = buckets;
        public readonly bool Randomized = randomized;
        private readonly int _shift = 32 - BitOperations.Log2((uint)buckets.Length);

        public int Hash(string name) => Randomized ? name.GetHashCode(StringComparison.Ordinal) : FixedHash(name);

        // Fibonacci hashing: the top bits of the product, so that every bit of the hash reaches the index.
        public int Index(int hash) => (int)(((uint)hash * 0x9E3779B9u) >> _shift);
    }
}
