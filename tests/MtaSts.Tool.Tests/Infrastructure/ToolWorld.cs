using System.Net;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Testing;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>
/// A loopback internet for the tool: the DNS server, the HTTPS policy host (reached at the address DNS gives for
/// mta-sts.&lt;domain&gt; and the port given with --https-port), SMTP receivers on 127.0.0.2.. (one port for all, given
/// with --smtp-port), and the test CA as a PEM file for --ca-file.
/// </summary>
public sealed class ToolWorld : LoopbackInternet
{
    public const string Domain = "example.com";
    public const string MailHost = "mail.example.com";

    private static readonly IPAddress[] MxAddresses = [.. Enumerable.Range(2, 8).Select(i => IPAddress.Parse($"127.0.0.{i}"))];
    private readonly List<LoopbackSmtpReceiver> _receivers = [];
    private int _nextAddress;

    private ToolWorld(TestCertificateAuthority ca, LoopbackDnsServer dns, LoopbackPolicyHost https)
        : base(ca, dns, https)
    {
        CaFile = Path.Combine(Path.GetTempPath(), $"mta-sts-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CaFile, ca.Root.ExportCertificatePem());
        SmtpPort = LoopbackPorts.FreePort(MxAddresses);
    }

    public string CaFile { get; }

    public int SmtpPort { get; }

    public static Task<ToolWorld> StartAsync() => StartAsync("MtaSts.Tool Test Root", (ca, dns, https) => new ToolWorld(ca, dns, https));

    /// <summary>The enforce policy the clean domain publishes.</summary>
    public static string CleanPolicy(string domain = Domain, long maxAge = 604800) =>
        $"version: STSv1\r\nmode: enforce\r\nmx: mail.{domain}\r\nmax_age: {maxAge}\r\n";

    /// <summary>Publishes the TXT record, serves the policy, and points mta-sts.&lt;domain&gt; at the policy host.</summary>
    public void PublishPolicy(string domain, string id, string policy)
    {
        Publish(domain, id, policy);
        Dns.SetA($"mta-sts.{domain}", IPAddress.Loopback);
    }

    /// <summary>A domain with nothing to report: record, policy, one MX with a good certificate, TLS-RPT.</summary>
    public async Task PublishCleanAsync(string domain = Domain)
    {
        PublishPolicy(domain, "20260101", CleanPolicy(domain));
        Dns.SetMx(domain, (10, $"mail.{domain}"));
        await AddMxHostAsync($"mail.{domain}", Ca.IssueFor($"mail.{domain}"));
        Dns.SetTxt($"_smtp._tls.{domain}", $"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}");
    }

    /// <summary>Starts an SMTP receiver for <paramref name="host"/> on the next 127.0.0.x (no certificate: no STARTTLS) and publishes its A record.</summary>
    public async Task<IPAddress> AddMxHostAsync(string host, X509Certificate2? certificate)
    {
        var address = NextAddress();
        Dns.SetA(host, address);
        _receivers.Add(await LoopbackSmtpReceiver.StartAsync(address, SmtpPort, host, certificate));
        return address;
    }

    /// <summary>A 127.0.0.x address where nothing listens, for an unreachable MX.</summary>
    public IPAddress NextAddress() => MxAddresses[_nextAddress++];

    /// <summary>Runs the tool in-process with this world's DNS server, CA file and ports; returns the exit code and both streams.</summary>
    public async Task<ToolRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        List<string> all = [args[0], .. WorldOptions(args[0]), .. args.Skip(1)]; // a test's own option comes last and wins
        var code = await ToolApp.RunAsync([.. all], output, errors);
        return new ToolRun(code, output.ToString(), errors.ToString());
    }

    /// <summary>The options that point the tool at this world, for <paramref name="command"/>.</summary>
    public IEnumerable<string> WorldOptions(string command)
    {
        yield return "--name-server";
        yield return Dns.EndPoint.ToString();
        yield return "--ca-file";
        yield return CaFile;
        yield return "--timeout";
        yield return "5";
        yield return "--https-port";
        yield return Https.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (command == "audit")
        {
            yield return "--smtp-port";
            yield return SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }

        File.Delete(CaFile);
        await base.DisposeAsync();
    }
}
