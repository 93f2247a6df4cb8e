namespace MtaSts.Tool.Postfix;

/// <summary>
/// A reply ready to send, netstring-encoded, for one lookup key of one zone. For a policy domain it holds the
/// <see cref="MtaStsPolicyState"/> it was made from: while the enforcer hands out that same state (its cache hit),
/// the bytes are sent again as they are.
/// </summary>
/// <param name="Key">The lookup key (lower case).</param>
/// <param name="IsDomain">Whether <paramref name="Key"/> is a policy domain (otherwise <paramref name="Reply"/> never changes).</param>
/// <param name="State">The state the reply was made from, for a policy domain.</param>
/// <param name="Text">The reply, for the log.</param>
/// <param name="Reply">The encoded reply.</param>
internal sealed record CachedReply(string Key, bool IsDomain, MtaStsPolicyState? State, string Text, byte[] Reply);
