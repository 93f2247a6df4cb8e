using MimeKit;

namespace MtaSts.MailKit.Delivery;

/// <summary>
/// Direct-to-MX delivery under MTA-STS, as <see cref="MtaStsDirectSender"/> does it. Public so that a queue can take it
/// from dependency injection and replace it with a fake in its own tests.
/// </summary>
public interface IMtaStsDirectSender
{
    /// <summary>Delivers <paramref name="message"/> to every recipient in its To, Cc and Bcc headers.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    /// <returns>One result per recipient domain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentException">The message has no sender or no recipients.</exception>
    Task<IReadOnlyList<MtaStsDeliveryResult>> SendAsync(MimeMessage message, CancellationToken cancellationToken = default);

    /// <summary>Delivers <paramref name="message"/> to <paramref name="recipients"/> (the envelope).</summary>
    /// <param name="message">The message.</param>
    /// <param name="sender">The envelope sender.</param>
    /// <param name="recipients">The envelope recipients.</param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    /// <returns>One result per recipient domain, in the order the domains first appear.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">There are no recipients.</exception>
    Task<IReadOnlyList<MtaStsDeliveryResult>> SendAsync(MimeMessage message, MailboxAddress sender, IEnumerable<MailboxAddress> recipients,
        CancellationToken cancellationToken = default);
}
