using System.Security.Cryptography.X509Certificates;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Network;

namespace MtaSts.Tool.Audit;

/// <summary>
/// The owner's view of a domain, in protocol order: the <c>_mta-sts</c> TXT record, the policy host and its
/// certificate, the policy, the policy against the domain's real MX records, each MX host on port 25, and TLS-RPT.
/// Parsing is the library's, in strict mode; what only the library's tolerant default accepts is a warning.
/// </summary>
internal sealed partial class Auditor
{
    /// <summary>Below this, an enforce policy lapses too soon after a blocked refresh (RFC 8461 §10, SEC-2).</summary>
    public static readonly TimeSpan ShortMaxAge = TimeSpan.FromDays(7);

    /// <summary>Certificates closer than this to their end are reported as expiring.</summary>
    public static readonly TimeSpan ExpiringWithin = TimeSpan.FromDays(14);

    private const int MaxMxHosts = 10;

    private readonly string _domain;
    private readonly ToolDns _dns;
    private readonly ToolArguments _arguments;
    private readonly X509Certificate2Collection? _roots;
    private readonly Progress _progress;
    private readonly TimeProvider _time;
    private readonly List<Finding> _findings = [];
    private readonly List<string> _seen = [];

    public Auditor(string domain, ToolArguments arguments, X509Certificate2Collection? roots, Progress progress, TimeProvider time)
    {
        _domain = domain;
        _arguments = arguments;
        _roots = roots;
        _progress = progress;
        _time = time;
        _dns = new ToolDns(arguments.NameServers, arguments.Timeout);
    }

    public async Task<AuditReport> RunAsync(CancellationToken cancellationToken)
    {
        await AuditRecordAsync(cancellationToken).ConfigureAwait(false);
        var policy = await AuditPolicyAsync(cancellationToken).ConfigureAwait(false);
        var mx = await AuditMxCoverageAsync(policy, cancellationToken).ConfigureAwait(false);
        await AuditMxHostsAsync(mx, cancellationToken).ConfigureAwait(false);
        await AuditTlsRptAsync(cancellationToken).ConfigureAwait(false);
        return new AuditReport(_domain, _findings, _seen);
    }

    private void Add(Severity severity, string code, string subject, string detail) => _findings.Add(new Finding(severity, code, subject, detail));
}
