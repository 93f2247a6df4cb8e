namespace MtaSts.Reporting;

/// <summary>Delivers reports to one kind of <c>rua</c> URI (<c>https:</c> in this package, <c>mailto:</c> in MtaSts.Net.MailKit).</summary>
public interface ITlsRptTransport
{
    /// <summary>Whether this transport handles <paramref name="uri"/>.</summary>
    /// <param name="uri">A reporting URI.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    bool CanDeliver(Uri uri);

    /// <summary>Delivers one report; returns whether the endpoint accepted it. Never throws for network failures.</summary>
    /// <param name="uri">The reporting URI.</param>
    /// <param name="envelope">The report.</param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    /// <returns><see langword="null"/> when accepted, otherwise why not.</returns>
    Task<string?> DeliverAsync(Uri uri, TlsRptEnvelope envelope, CancellationToken cancellationToken = default);
}
