using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tool.Network;

/// <summary>
/// Reviews a presented certificate as an MTA-STS sender judges it, separating the reasons: the chain to a trusted root
/// (CERT-2, FETCH-2; built offline: no AIA downloads, no revocation, CERT-11), the validity period, and the SAN dNSName
/// match for the host (CERT-3, FETCH-3: never the CN; a wildcard only as the whole left-most label, CERT-5).
/// </summary>
internal static class CertificateReview
{
    private static readonly IdnMapping Idn = new();

    public static CertificateFacts Review(X509Certificate2 leaf, IEnumerable<X509Certificate2> presented, string host,
        X509Certificate2Collection? roots, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1")); // serverAuth
        chain.ChainPolicy.ExtraStore.AddRange(presented.ToArray());
        if (roots is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        }

        string? trustProblem = null;
        if (!chain.Build(leaf))
        {
            var problems = chain.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NotTimeValid && s.Status != X509ChainStatusFlags.NoError)
                .Select(s => s.Status.ToString()).Distinct().ToList();
            if (problems.Count > 0)
            {
                trustProblem = $"the chain does not lead to a trusted root ({string.Join(", ", problems)}; issuer {leaf.Issuer})";
            }
        }

        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var names = DnsNames(leaf);
        var reference = ReferenceName(host);
        return new CertificateFacts(
            trustProblem,
            notAfter,
            notAfter < now,
            leaf.NotBefore.ToUniversalTime() > now.UtcDateTime,
            (int)Math.Floor((notAfter - now).TotalDays),
            reference is not null && names.Any(n => Matches(n, reference)),
            names);
    }

    private static List<string> DnsNames(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                try
                {
                    return [.. san.EnumerateDnsNames()];
                }
                catch (CryptographicException)
                {
                    return [];
                }
            }
        }

        return [];
    }

    private static string? ReferenceName(string host)
    {
        try
        {
            return Idn.GetAscii(host.TrimEnd('.')).ToLowerInvariant(); // CERT-9, CERT-10
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // CERT-5..CERT-8: case-insensitive; '*' only as the whole left-most label, matching one label, never over a
    // single-label suffix; a presented name with a trailing dot never matches.
    private static bool Matches(string presented, string reference)
    {
        if (presented.EndsWith('.') || presented.Length == 0)
        {
            return false;
        }

        if (!presented.StartsWith("*.", StringComparison.Ordinal))
        {
            return !presented.Contains('*', StringComparison.Ordinal) && string.Equals(presented, reference, StringComparison.OrdinalIgnoreCase);
        }

        var suffix = presented[2..];
        var dot = reference.IndexOf('.', StringComparison.Ordinal);
        return !suffix.Contains('*', StringComparison.Ordinal) && suffix.Contains('.', StringComparison.Ordinal) && dot > 0
            && string.Equals(reference[(dot + 1)..], suffix, StringComparison.OrdinalIgnoreCase);
    }
}
