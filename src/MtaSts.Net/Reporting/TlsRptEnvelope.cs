using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace MtaSts.Reporting;

/// <summary>
/// A report ready to deliver: the gzip-compressed JSON (RPT-16) and the RFC 8460 §5.1 file name. Public for
/// <see cref="ITlsRptTransport"/> implementations (report delivery over a channel of your own).
/// </summary>
public sealed class TlsRptEnvelope
{
    internal TlsRptEnvelope(TlsRptReport report, string policyDomain, string submitter, byte[] gzip, string fileName)
    {
        Report = report;
        PolicyDomain = policyDomain;
        Submitter = submitter;
        Gzip = gzip;
        FileName = fileName;
    }

    /// <summary>The report.</summary>
    internal TlsRptReport Report { get; }

    /// <summary>The reported policy domain.</summary>
    public string PolicyDomain { get; }

    /// <summary>The submitter domain (the domain of <c>contact-info</c>, RPT-17).</summary>
    public string Submitter { get; }

    /// <summary>The report id (RFC 8460 §4.4), unique per report.</summary>
    public string ReportId => Report.ReportId;

    /// <summary>The gzip-compressed report JSON (<c>application/tlsrpt+gzip</c>).</summary>
    public byte[] Gzip { get; }

    /// <summary><c>submitter!policy-domain!begin!end!unique-id.json.gz</c> (RPT-15).</summary>
    public string FileName { get; }

    /// <summary>Compresses and names a report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="policyDomain">The policy domain.</param>
    /// <returns>The envelope.</returns>
    internal static TlsRptEnvelope Create(TlsRptReport report, string policyDomain)
    {
        ArgumentNullException.ThrowIfNull(report);
        var submitter = report.ContactInfo.Split('@')[^1];
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(report.ToJson()));
        }

        var unique = new string([.. report.ReportId.Where(char.IsAsciiLetterOrDigit)]);
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{submitter}!{policyDomain}!{report.StartDateTime.ToUnixTimeSeconds()}!{report.EndDateTime.ToUnixTimeSeconds()}!{unique}.json.gz");
        return new TlsRptEnvelope(report, policyDomain, submitter, buffer.ToArray(), name);
    }
}
