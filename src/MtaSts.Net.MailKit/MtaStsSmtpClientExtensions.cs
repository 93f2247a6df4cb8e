using System.Net.Sockets;
using MailKit.Net.Smtp;
using MtaSts.MailKit.Internal;

namespace MtaSts.MailKit;

/// <summary>MTA-STS for MailKit's <see cref="SmtpClient"/>.</summary>
public static class MtaStsSmtpClientExtensions
{
    /// <summary>
    /// Connects to <paramref name="mxHost"/> under the MTA-STS policy in <paramref name="state"/>. Under <c>enforce</c>:
    /// an MX the policy does not list is refused before any connection; STARTTLS is required and the certificate must
    /// pass PKIX and SAN dNSName checks for <paramref name="mxHost"/> (never the CN). Under <c>testing</c>: every session
    /// is accepted and failures are recorded in the outcome as <see cref="MtaStsVerdict.DeliverAndReport"/>. Without a
    /// policy, or under <c>none</c>: STARTTLS when available, and any certificate accepted (opportunistic TLS, as RFC 8461
    /// intends; see <see cref="MtaStsOptions.RequireValidCertificateWithoutPolicy"/>).
    /// <para>
    /// The client is borrowed for the call: its <see cref="global::MailKit.MailService.ServerCertificateValidationCallback"/>
    /// is replaced and <see cref="global::MailKit.MailService.CheckCertificateRevocation"/> turned off (no CRL or OCSP
    /// fetch the MX could steer), and both are restored before the method returns or throws. Pass an
    /// <see cref="MtaStsSmtpClient"/> so that the handshake also downloads no intermediates from the certificate's AIA
    /// URLs; a plain <see cref="SmtpClient"/> cannot be told so from outside.
    /// </para>
    /// <para>
    /// The client's connection settings are honoured: the TCP connection (or the proxy's) and then the greeting and TLS
    /// upgrade are each bounded by <see cref="global::MailKit.MailService.Timeout"/>; the socket is bound to
    /// <see cref="global::MailKit.MailService.LocalEndPoint"/> when one is set; and with a
    /// <see cref="global::MailKit.MailService.ProxyClient"/> the connection goes through the proxy, which then resolves
    /// <paramref name="mxHost"/> itself. One decision is counted on the <c>mtasts.decisions</c> instrument when the call ends
    /// with an answer (refused, failed upgrade or connected).
    /// </para>
    /// </summary>
    /// <param name="client">The client, borrowed for the call (see above).</param>
    /// <param name="state">The recipient domain's policy state, from <see cref="IMtaStsEnforcer.GetPolicyAsync"/>.</param>
    /// <param name="mxHost">The MX host name (the TLS reference identity and SNI).</param>
    /// <param name="port">The SMTP port.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    /// <returns>What happened on the connection.</returns>
    /// <exception cref="MtaStsDeliveryRefusedException">The policy forbids delivery to this MX (a temporary failure).</exception>
    /// <exception cref="MtaStsSessionFailedException">The TLS upgrade failed where the policy allowed delivery; its outcome is reportable.</exception>
    /// <exception cref="TimeoutException">The connection, or the greeting and TLS upgrade, took longer than the client's timeout.</exception>
    /// <exception cref="SocketException">The connection could not be made.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static async Task<MtaStsSessionOutcome> ConnectWithMtaStsAsync(this SmtpClient client, MtaStsPolicyState state, string mxHost,
        int port = 25, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(mxHost);
        RefuseUnlistedMx(state, mxHost);
        var transport = await OpenAsync(client, mxHost, port, cancellationToken).ConfigureAwait(false);
        return await ConnectCoreAsync(client, state, mxHost, transport, port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="ConnectWithMtaStsAsync(SmtpClient, MtaStsPolicyState, string, int, CancellationToken)"/>, over a
    /// socket already connected to an address of your choice (from your own MX address resolution); the certificate is
    /// still checked against <paramref name="mxHost"/>. The client takes ownership of the socket. The client's
    /// <see cref="global::MailKit.MailService.LocalEndPoint"/> and <see cref="global::MailKit.MailService.ProxyClient"/> do
    /// not apply: the socket is already connected.
    /// </summary>
    /// <param name="client">The client, borrowed for the call; its TLS settings are restored.</param>
    /// <param name="state">The recipient domain's policy state.</param>
    /// <param name="mxHost">The MX host name (the TLS reference identity and SNI).</param>
    /// <param name="socket">A connected socket.</param>
    /// <param name="port">The port the socket is connected to.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    /// <returns>What happened on the connection.</returns>
    /// <exception cref="MtaStsDeliveryRefusedException">The policy forbids delivery to this MX (a temporary failure).</exception>
    /// <exception cref="MtaStsSessionFailedException">The TLS upgrade failed where the policy allowed delivery; its outcome is reportable.</exception>
    /// <exception cref="TimeoutException">The greeting and TLS upgrade took longer than the client's timeout.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static async Task<MtaStsSessionOutcome> ConnectWithMtaStsAsync(this SmtpClient client, MtaStsPolicyState state, string mxHost,
        Socket socket, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(mxHost);
        ArgumentNullException.ThrowIfNull(socket);
        return await client.ConnectSocketWithDaneAsync(state, mxHost, socket, port, dane: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="ConnectWithMtaStsAsync(SmtpClient, MtaStsPolicyState, string, int, CancellationToken)"/>, with DANE for
    /// SMTP (RFC 7672) beside MTA-STS, for callers that resolve MX hosts themselves. Before connecting, the domain's MX
    /// RRset, the host's addresses and its TLSA records (at the CNAME-expanded host name, then at
    /// <c>_25._tcp.&lt;mxHost&gt;</c>) are looked up with the DO bit on the name servers of <paramref name="enforcer"/>
    /// (<see cref="MtaStsOptions.NameServers"/>; an <see cref="IMtaStsEnforcer"/> that is not an <see cref="MtaStsEnforcer"/>
    /// gets the machine's resolvers), trusting their AD bit: those must be a validating resolver on this machine (a local
    /// unbound), as for <see cref="Delivery.MtaStsDirectSenderOptions.UseDane"/>. Unlike the direct sender, this method
    /// does not check the resolver or log: a resolver that sets no AD bit leaves every host to MTA-STS.
    /// <para>
    /// An MX host with DNSSEC-secure, usable TLSA records is decided by DANE alone (RFC 8461 §2: MTA-STS never rescues a
    /// DANE failure; <see cref="MtaStsDecision.Mechanism"/> says so); a bogus or unanswered lookup refuses the host, and
    /// so does a host missing from a DNSSEC-validated MX RRset (the caller's MX answer was forged or stale); in an
    /// unsigned zone the MTA-STS decision stands. For TLS-RPT, record every decision: the outcome's, and the one carried
    /// by <see cref="MtaStsDeliveryRefusedException.Decision"/> or <see cref="MtaStsSessionFailedException.Outcome"/>;
    /// <c>TlsRptRecorder.Record</c> files DANE decisions under a <c>tlsa</c> policy block.
    /// </para>
    /// </summary>
    /// <param name="client">The client, borrowed for the call (see the overload without DANE).</param>
    /// <param name="enforcer">The enforcer whose name servers answer the DANE lookups (<see cref="MtaStsEnforcer"/>; for
    /// another implementation, the machine's resolvers).</param>
    /// <param name="state">The recipient domain's policy state, from <see cref="IMtaStsEnforcer.GetPolicyAsync"/>.</param>
    /// <param name="mxHost">The MX host name, one of the domain's MX records (the TLS reference identity and SNI; when DANE
    /// authenticates the host through TLSA records at its CNAME target, the SNI is that target, RFC 7672 §8.1).</param>
    /// <param name="port">The SMTP port.</param>
    /// <param name="cancellationToken">Cancels the lookups and the connection.</param>
    /// <returns>What happened on the connection.</returns>
    /// <exception cref="MtaStsDeliveryRefusedException">DANE or the policy forbids delivery to this MX (a temporary failure).</exception>
    /// <exception cref="MtaStsSessionFailedException">The TLS upgrade failed where the policy allowed delivery; its outcome is reportable.</exception>
    /// <exception cref="TimeoutException">The connection, or the greeting and TLS upgrade, took longer than the client's timeout.</exception>
    /// <exception cref="SocketException">The connection could not be made.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static async Task<MtaStsSessionOutcome> ConnectWithMtaStsAndDaneAsync(this SmtpClient client, IMtaStsEnforcer enforcer,
        MtaStsPolicyState state, string mxHost, int port = 25, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(enforcer);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(mxHost);
        var dane = await HostDane.LookupAsync(enforcer, state.Domain, mxHost, cancellationToken).ConfigureAwait(false);
        RefuseUnlistedMx(state, mxHost, dane);
        var transport = await OpenAsync(client, mxHost, port, cancellationToken).ConfigureAwait(false);
        return await ConnectCoreAsync(client, state, mxHost, transport, port, cancellationToken, dane).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="ConnectWithMtaStsAndDaneAsync(SmtpClient, IMtaStsEnforcer, MtaStsPolicyState, string, int, CancellationToken)"/>,
    /// over a socket already connected to an address of your choice (from your own resolution of <paramref name="mxHost"/>,
    /// which should itself come from a validating resolver). The client takes ownership of the socket, also when the
    /// DANE lookups refuse the host before the session starts.
    /// </summary>
    /// <param name="client">The client, borrowed for the call; its TLS settings are restored.</param>
    /// <param name="enforcer">The enforcer whose name servers answer the DANE lookups.</param>
    /// <param name="state">The recipient domain's policy state.</param>
    /// <param name="mxHost">The MX host name, one of the domain's MX records (the TLS reference identity and SNI; when DANE
    /// authenticates the host through TLSA records at its CNAME target, the SNI is that target, RFC 7672 §8.1).</param>
    /// <param name="socket">A connected socket.</param>
    /// <param name="port">The port the socket is connected to.</param>
    /// <param name="cancellationToken">Cancels the lookups and the connection.</param>
    /// <returns>What happened on the connection.</returns>
    /// <exception cref="MtaStsDeliveryRefusedException">DANE or the policy forbids delivery to this MX (a temporary failure).</exception>
    /// <exception cref="MtaStsSessionFailedException">The TLS upgrade failed where the policy allowed delivery; its outcome is reportable.</exception>
    /// <exception cref="TimeoutException">The greeting and TLS upgrade took longer than the client's timeout.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static async Task<MtaStsSessionOutcome> ConnectWithMtaStsAndDaneAsync(this SmtpClient client, IMtaStsEnforcer enforcer,
        MtaStsPolicyState state, string mxHost, Socket socket, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(enforcer);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(mxHost);
        ArgumentNullException.ThrowIfNull(socket);
        Dane.DaneState dane;
        try
        {
            dane = await HostDane.LookupAsync(enforcer, state.Domain, mxHost, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return await client.ConnectSocketWithDaneAsync(state, mxHost, socket, port, dane, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The direct sender's path: as the socket overload, with the MX host's DANE facts (RFC 7672, DANE-4).</summary>
    internal static async Task<MtaStsSessionOutcome> ConnectSocketWithDaneAsync(this SmtpClient client, MtaStsPolicyState state, string mxHost,
        Socket socket, int port, Dane.DaneState? dane, CancellationToken cancellationToken)
    {
        try
        {
            RefuseUnlistedMx(state, mxHost, dane);
        }
        catch
        {
            socket.Dispose(); // the socket is ours from the call on
            throw;
        }

        return await ConnectCoreAsync(client, state, mxHost, new NetworkStream(socket, ownsSocket: true), port, cancellationToken, dane).ConfigureAwait(false);
    }

    private static async Task<MtaStsSessionOutcome> ConnectCoreAsync(SmtpClient client, MtaStsPolicyState state, string mxHost, Stream transport, int port,
        CancellationToken cancellationToken, Dane.DaneState? dane = null)
    {
        // Hardening: the caller's TLS settings are ours only for this call, whatever happens (success, refusal,
        // exception, cancellation); a later connection on the same client must validate as it did before.
        var callerCallback = client.ServerCertificateValidationCallback;
        var callerRevocation = client.CheckCertificateRevocation;
        try
        {
            // No CRL/OCSP fetches the MX could steer (CERT-11 is a MAY); MtaStsSmtpClient has its own opt-in.
            client.CheckCertificateRevocation = false;
            return await MtaStsSession.ConnectAsync(client, state, mxHost, transport, port, cancellationToken, dane).ConfigureAwait(false);
        }
        finally
        {
            client.ServerCertificateValidationCallback = callerCallback;
            client.CheckCertificateRevocation = callerRevocation;
        }
    }

    // The TCP connection as the client would make it: through its proxy, from its local end point, within its timeout.
    private static async Task<Stream> OpenAsync(SmtpClient client, string mxHost, int port, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (client.Timeout > 0)
        {
            bound.CancelAfter(client.Timeout);
        }

        Socket? socket = null;
        try
        {
            if (client.ProxyClient is { } proxy)
            {
                return await proxy.ConnectAsync(mxHost, port, bound.Token).ConfigureAwait(false);
            }

            var local = client.LocalEndPoint;
            socket = local is null
                ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
                : new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (local is not null)
            {
                socket.Bind(local);
            }

            await socket.ConnectAsync(mxHost, port, bound.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            socket?.Dispose();
            throw new TimeoutException($"could not connect to {mxHost}:{port} within {client.Timeout} ms", ex);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }
    }

    private static void RefuseUnlistedMx(MtaStsPolicyState state, string mxHost, Dane.DaneState? dane = null)
    {
        var decision = state.EvaluateMxWithDane(mxHost, dane);
        if (!decision.MayDeliver)
        {
            state.RecordDecision(decision); // the candidate ends here: counted once
            throw new MtaStsDeliveryRefusedException(decision); // MX-1, MX-8: refused before any connection
        }
    }
}
