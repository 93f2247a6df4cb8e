using System.Collections.Concurrent;
using System.Net;

namespace MtaSts.Reporting;

public sealed partial class TlsRptRecorder
{
    // RFC 8460 §4.4 types: additional-information is a URI; failure-reason-code is text (an error code or message);
    // sending-mta-ip and receiving-ip are IP address strings (RPT-13).
    private const int MaxReasonLength = 512;

    private sealed record FailureKey(string ResultType, string? SendingMtaIp, string? ReceivingMxHostname, string? ReceivingMxHelo, string? ReceivingIp,
        string? AdditionalInformation, string? FailureReasonCode)
    {
        // Free text (certificate subjects, exception messages, STARTTLS-stripping evidence) goes to failure-reason-code,
        // after the machine-readable code when there is one; additional-information keeps only absolute URIs.
        public static FailureKey Create(string resultType, string? sendingMtaIp, string? mxHost, string? helo, string? receivingIp,
            string? extra, string? reasonCode, string? detail)
        {
            var uri = extra is not null && Uri.TryCreate(extra, UriKind.Absolute, out var parsed)
                && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp) ? parsed.AbsoluteUri : null;
            var text = (uri is null ? extra : null) ?? detail;
            var reason = string.IsNullOrWhiteSpace(text) ? reasonCode
                : reasonCode is null || text.StartsWith(reasonCode, StringComparison.Ordinal) ? text : $"{reasonCode}: {text}";
            return new FailureKey(resultType, Address(sendingMtaIp), mxHost, HostName(helo), Address(receivingIp), uri, Clean(reason));
        }

        public TlsRptFailureDetail ToDetail(long count) =>
            new(ResultType, SendingMtaIp, ReceivingMxHostname, ReceivingMxHelo, ReceivingIp, count, AdditionalInformation, FailureReasonCode);

        // Dotted quad for IPv4 (also when mapped into IPv6), RFC 5952 text for IPv6; anything else is left out.
        private static string? Address(string? text) =>
            text is not null && IPAddress.TryParse(text, out var ip) ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null;

        // The name an MX gave in its EHLO reply is the MX's choice: a host name or address literal of at most 255
        // characters is kept, anything else is left out.
        private static string? HostName(string? text) =>
            text is { Length: > 0 and <= 255 } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '[' or ']' or ':') ? text : null;

        private static string? Clean(string? text)
        {
            if (text is null)
            {
                return null;
            }

            var chars = text.Length > MaxReasonLength ? text.AsSpan(0, MaxReasonLength) : text.AsSpan();
            return string.Create(chars.Length, text, static (span, source) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = char.IsControl(source[i]) ? ' ' : source[i];
                }
            });
        }
    }

    private sealed class DayCount
    {
        public int Domains;
        public long Dropped;
    }

    /// <summary>A DANE policy block (RFC 8460 §4.3, DANE-6): the MX host and its TLSA records in presentation form.</summary>
    internal sealed record TlsaPolicy(string MxHost, IReadOnlyList<string> Records)
    {
        public const string Prefix = "tlsa ";

        /// <summary>The block's identity, and its form in the state stores (never a valid MTA-STS policy text).</summary>
        public string Key => $"{Prefix}{MxHost}\n{string.Join('\n', Records)}";

        /// <summary>The block a state store's policy text stands for, or <see langword="null"/> for an MTA-STS policy.</summary>
        public static TlsaPolicy? FromKey(string? text)
        {
            if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return null;
            }

            var lines = text.Split('\n');
            return new TlsaPolicy(lines[0][Prefix.Length..], [.. lines.Skip(1).Where(l => l.Length > 0)]);
        }
    }

    private sealed class PolicyCounters(MtaStsPolicy? policy, TlsaPolicy? tlsa = null)
    {
        public long Successes;
        public long Failures;

        public MtaStsPolicy? Policy { get; } = policy;

        public TlsaPolicy? Tlsa { get; } = tlsa;

        public ConcurrentDictionary<FailureKey, long> Details { get; } = new();

        public TlsRptPolicyResult ToResult(string domain) => new(
            Tlsa is not null ? "tlsa" : Policy is null ? "no-policy-found" : "sts",
            Tlsa is not null ? Tlsa.Records : Policy is null ? [] : [.. Policy.Text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)],
            domain,
            Tlsa is not null ? [Tlsa.MxHost] : Policy?.Mx ?? [],
            Interlocked.Read(ref Successes),
            Interlocked.Read(ref Failures),
            [.. Details.Select(d => d.Key.ToDetail(d.Value))]);
    }
}
