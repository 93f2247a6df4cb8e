using System.Text;
using Microsoft.Extensions.Logging;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// Answers one socketmap request (<c>&lt;name&gt; &lt;key&gt;</c>) with an encoded reply. A key answered before, whose
/// policy state the enforcer still hands out from its cache, is answered from <see cref="ReplyCache"/> without
/// allocating; any other goes through the enforcer (single-flight: concurrent lookups of one domain share one
/// discovery), bounded by the zone's timeout.
/// </summary>
internal sealed partial class SocketmapResponder
{
    private static readonly byte[] Malformed = Netstring.Encode(SocketmapReply.Perm("malformed request: expected '<name> <key>'"));
    private static readonly byte[] UnknownName = Netstring.Encode(SocketmapReply.Perm("unknown map name"));
    private static readonly byte[] NotFound = Netstring.Encode(SocketmapReply.NotFound);
    private static readonly byte[] Stopping = Netstring.Encode(SocketmapReply.Temp("the MTA-STS daemon is stopping"));

    private readonly IMtaStsEnforcer _enforcer;
    private readonly PostfixZone[] _zones;
    private readonly ReplyCache[] _caches;
    private readonly ILogger _logger;

    public SocketmapResponder(IMtaStsEnforcer enforcer, PostfixDaemonSettings settings, ILogger<SocketmapResponder> logger)
    {
        _enforcer = enforcer;
        _zones = [.. settings.Zones];
        _caches = [.. _zones.Select(_ => new ReplyCache(settings.MaxCachedReplies))];
        _logger = logger;
    }

    /// <summary>Answers <paramref name="request"/> (a netstring's payload).</summary>
    /// <param name="request">The payload: the map name, one space, the key.</param>
    /// <param name="scratch">A buffer of at least <paramref name="request"/>'s length, for the lower-case key.</param>
    /// <returns>The encoded reply; never throws for bad input.</returns>
    public ValueTask<byte[]> AnswerAsync(ReadOnlyMemory<byte> request, char[] scratch)
    {
        var span = request.Span;
        var space = span.IndexOf((byte)' ');
        if (space <= 0 || space == span.Length - 1)
        {
            return new ValueTask<byte[]>(Malformed);
        }

        var zone = FindZone(span[..space]);
        if (zone < 0)
        {
            LogUnknownName(_logger, Encoding.UTF8.GetString(span[..space]));
            return new ValueTask<byte[]>(UnknownName);
        }

        var keyBytes = span[(space + 1)..];
        string? decoded = null;
        ReadOnlySpan<char> key;
        if (System.Text.Ascii.IsValid(keyBytes))
        {
            var length = System.Text.Ascii.ToLower(keyBytes, scratch, out var written) == System.Buffers.OperationStatus.Done ? written : 0;
            key = scratch.AsSpan(0, length);
        }
        else
        {
            decoded = Encoding.UTF8.GetString(keyBytes).ToLowerInvariant(); // U-labels: rare, allocates
            key = decoded;
        }

        if (_caches[zone].TryGet(key, out var cached))
        {
            if (!cached!.IsDomain)
            {
                LogAnswer(_logger, _zones[zone].Name, cached.Key, cached.Text);
                return new ValueTask<byte[]>(cached.Reply);
            }

            ValueTask<MtaStsPolicyState> pending;
            try
            {
                pending = _enforcer.GetPolicyAsync(cached.Key);
            }
            catch (ObjectDisposedException)
            {
                return new ValueTask<byte[]>(Stopping); // the host is stopping and the enforcer already disposed
            }

            if (!pending.IsCompletedSuccessfully)
            {
                return ResolveAsync(zone, cached.Key, pending.AsTask());
            }

            var state = pending.Result;
            if (ReferenceEquals(state, cached.State))
            {
                LogAnswer(_logger, _zones[zone].Name, cached.Key, cached.Text);
                return new ValueTask<byte[]>(cached.Reply);
            }

            return new ValueTask<byte[]>(Remember(zone, cached.Key, state));
        }

        var keyText = decoded ?? new string(key);
        if (!NextHop.IsPolicyDomain(keyText))
        {
            _caches[zone].Set(new CachedReply(keyText, false, null, SocketmapReply.NotFound, NotFound));
            LogAnswer(_logger, _zones[zone].Name, keyText, SocketmapReply.NotFound);
            return new ValueTask<byte[]>(NotFound);
        }

        try
        {
            return ResolveAsync(zone, keyText, _enforcer.GetPolicyAsync(keyText).AsTask());
        }
        catch (ObjectDisposedException)
        {
            return new ValueTask<byte[]>(Stopping);
        }
    }

    private async ValueTask<byte[]> ResolveAsync(int zoneIndex, string key, Task<MtaStsPolicyState> pending)
    {
        var zone = _zones[zoneIndex];
        MtaStsPolicyState state;
        try
        {
            state = await pending.WaitAsync(zone.Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The lookup goes on (single-flight); a later query gets its result. Postfix defers meanwhile.
            var text = SocketmapReply.Temp($"MTA-STS lookup of {key} is taking longer than {zone.Timeout.TotalSeconds:0.###} s");
            LogAnswer(_logger, zone.Name, key, text);
            return Netstring.Encode(text);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            return Stopping;
        }

        return Remember(zoneIndex, key, state);
    }

    // A new state for the key: its reply is encoded once and kept until the enforcer hands out another state.
    private byte[] Remember(int zoneIndex, string key, MtaStsPolicyState state)
    {
        var zone = _zones[zoneIndex];
        var reply = SocketmapReply.For(state, zone);
        var entry = new CachedReply(key, true, state, reply, Netstring.Encode(reply));
        _caches[zoneIndex].Set(entry);
        LogResolved(_logger, zone.Name, key, state.Mode, state.FetchedAt, reply);
        return entry.Reply;
    }

    private int FindZone(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < _zones.Length; i++)
        {
            if (name.SequenceEqual(_zones[i].NameBytes))
            {
                return i;
            }
        }

        return -1;
    }

    [LoggerMessage(EventId = 1201, EventName = "SocketmapAnswer", Level = LogLevel.Debug, Message = "{Map} {Key}: {Reply}")]
    private static partial void LogAnswer(ILogger logger, string map, string key, string reply);

    [LoggerMessage(EventId = 1202, EventName = "SocketmapResolved", Level = LogLevel.Information,
        Message = "{Map} {Key}: mode {Mode} (fetched {FetchedAt:u}) → {Reply}")]
    private static partial void LogResolved(ILogger logger, string map, string key, MtaStsMode mode, DateTimeOffset? fetchedAt, string reply);

    [LoggerMessage(EventId = 1203, EventName = "SocketmapUnknownName", Level = LogLevel.Warning,
        Message = "socketmap request for map name '{Map}', which no zone serves: PERM")]
    private static partial void LogUnknownName(ILogger logger, string map);
}
