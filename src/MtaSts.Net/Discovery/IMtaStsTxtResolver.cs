namespace MtaSts.Discovery;

/// <summary>
/// Looks up TXT records. The default uses DnsClient; replace it to use your own resolver. Implementations follow
/// CNAME chains (TXT-6), join each record's character-strings without spaces (TXT-5), and report failures as a
/// result rather than an exception.
/// </summary>
public interface IMtaStsTxtResolver
{
    /// <summary>Looks up the TXT records at <paramref name="name"/>.</summary>
    /// <param name="name">The fully qualified name, without a root dot.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The records, or why there are none.</returns>
    ValueTask<MtaStsTxtLookupResult> ResolveTxtAsync(string name, CancellationToken cancellationToken = default);
}
