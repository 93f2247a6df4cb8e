using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace MtaSts.Reporting;

/// <summary>A report ready to deliver: the gzip-compressed JSON (RPT-16) and the RFC 8460 §5.1 file name.</summary>
/// <param name="Report">The report.</param>
/// <param name="PolicyDomain">The reported policy domain.</param>
/// <param name="Submitter">The submitter domain (the domain of <c>contact-info</c>, RPT-17).</param>
/// <param name="Gzip">The gzip-compressed report JSON.</param>
/// <param name="FileName"><c>submitter!policy-domain!begin!end!unique-id.json.gz</c> (RPT-15).</param>
public sealed record TlsRptEnvelope(TlsRptReport Report, string PolicyDomain, string Submitter, byte[] Gzip, string FileName)
{
    /// <summary>Compresses and names a report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="policyDomain">The policy domain.</param>
    /// <returns>The envelope.</returns>
    public static TlsRptEnvelope Create(TlsRptReport report, string policyDomain)
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
