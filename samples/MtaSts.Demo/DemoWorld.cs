using System.Net;
using MtaSts.MailKit.Delivery;
using MtaSts.Testing;

namespace MtaSts.Demo;

/// <summary>
/// A small internet in one process, all on 127.0.0.0/8: a DNS server, an HTTPS policy host with a CA generated at start,
/// SMTP receivers offering STARTTLS, and on-path proxies that strip STARTTLS. Each scenario is one recipient domain.
/// </summary>
public sealed class DemoWorld : LoopbackInternet
{
    private readonly List<IAsyncDisposable> _parts = [];

    private DemoWorld(TestCertificateAuthority ca, LoopbackDnsServer dns, LoopbackPolicyHost https, int smtpPort)
        : base(ca, dns, https)
    {
        SmtpPort = smtpPort;
    }

    /// <summary>Every SMTP receiver and proxy listens on this port, each on its own loopback address.</summary>
    public int SmtpPort { get; }

    public Dictionary<string, LoopbackSmtpReceiver> Receivers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, StartTlsStrippingProxy> Proxies { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static Task<DemoWorld> StartAsync()
    {
        var port = LoopbackPorts.FreePort([.. Enumerable.Range(10, 30).Select(Address)]);
        return StartAsync("MtaSts.Net Demo Root", (ca, dns, https) => new DemoWorld(ca, dns, https, port));
    }

    public static IPAddress Address(int last) => new([127, 0, 0, (byte)last]);

    /// <summary>Publishes <c>_mta-sts</c> and the policy for <paramref name="domain"/>.</summary>
    public void PublishPolicy(string domain, string mode, string mxPattern, string id = "20261128") =>
        Publish(domain, id, $"version: STSv1\nmode: {mode}\nmx: {mxPattern}\nmax_age: 604800\n");

    /// <summary>Starts a receiver named <paramref name="mxHost"/> at 127.0.0.<paramref name="last"/>, with a certificate.</summary>
    public async Task<LoopbackSmtpReceiver> AddReceiverAsync(string mxHost, int last, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        var receiver = await LoopbackSmtpReceiver.StartAsync(Address(last), SmtpPort, mxHost, certificate).ConfigureAwait(false);
        Receivers[mxHost] = receiver;
        _parts.Add(receiver);
        Dns.SetA(mxHost, Address(last));
        return receiver;
    }

    /// <summary>Puts a STARTTLS-stripping proxy at 127.0.0.<paramref name="last"/> in front of <paramref name="receiver"/>; DNS for <paramref name="mxHost"/> points at the proxy.</summary>
    public StartTlsStrippingProxy AddStrippingProxy(string mxHost, int last, LoopbackSmtpReceiver receiver)
    {
        var proxy = new StartTlsStrippingProxy(new IPEndPoint(Address(last), SmtpPort), receiver.EndPoint);
        Proxies[mxHost] = proxy;
        _parts.Add(proxy);
        Dns.SetA(mxHost, Address(last));
        return proxy;
    }

    /// <summary>A self-signed certificate for <paramref name="host"/>: no CA vouches for it, only a TLSA record can (DANE-EE).</summary>
    public static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSigned(string host)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={host}", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            created.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
    }

    /// <summary>The data of a TLSA <c>3 1 1</c> or <c>2 1 1</c> record: SHA-256 of the certificate's SubjectPublicKeyInfo.</summary>
    public static byte[] SpkiSha256(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        System.Security.Cryptography.SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo());

    public MtaStsOptions EnforcerOptions() => EnforcerOptions(o => o.DnsTimeout = TimeSpan.FromSeconds(2));

    public MtaStsDirectSenderOptions SenderOptions()
    {
        var options = new MtaStsDirectSenderOptions
        {
            Port = SmtpPort,
            HeloName = "sender.demo.test",
            ConnectTimeout = TimeSpan.FromSeconds(5),
            CommandTimeout = TimeSpan.FromSeconds(10),
        };
        return options;
    }

    /// <summary>A DNS client on the world's name server, as the enforcer's options set it up.</summary>
    public DnsClient.ILookupClient DnsClient() =>
        new DnsClient.LookupClient(new DnsClient.LookupClientOptions(Dns.EndPoint) { UseCache = false, Timeout = TimeSpan.FromSeconds(2), Retries = 0 });

    public override async ValueTask DisposeAsync()
    {
        foreach (var part in _parts)
        {
            await part.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
