using MtaSts.Dane;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// The DANE facts of one delivery's MX candidates, looked up when the walk reaches a host (RFC 7672 §2.2) and kept for
/// the rest of the delivery (a retry under a re-checked policy asks nothing again). A host the walk never reaches is
/// never asked about: a backup MX whose TLSA lookup hangs does not hold up delivery to the primary. Used by one walk at
/// a time; holds at most the hosts the walk tries (<see cref="Delivery.MtaStsDirectSenderOptions.MaxMxHosts"/>).
/// </summary>
internal sealed class CandidateDane(DaneLookup lookup, string domain, bool mxSecure, bool required)
{
    private readonly Dictionary<string, DaneState> _states = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The DANE facts of <paramref name="host"/>, looked up on first use.</summary>
    public async ValueTask<DaneState> GetAsync(string host, CancellationToken cancellationToken)
    {
        if (_states.TryGetValue(host, out var known))
        {
            return known;
        }

        var state = await lookup.LookupAsync(host, domain, mxSecure, cancellationToken).ConfigureAwait(false);
        state = required ? state with { Required = true } : state;
        _states[host] = state;
        return state;
    }

    /// <summary>The facts already looked up for <paramref name="host"/>; <see langword="null"/> before <see cref="GetAsync"/>.</summary>
    public DaneState? Known(string host) => _states.GetValueOrDefault(host);
}
