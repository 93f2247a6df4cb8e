namespace MtaSts.Internal;

internal static class MtaStsConstants
{
    /// <summary>TXT-1: the record lives at <c>_mta-sts.&lt;policy domain&gt;</c>.</summary>
    public const string TxtRecordPrefix = "_mta-sts.";

    /// <summary>The longest name in text form, without the root dot (255 octets on the wire, RFC 1035 §2.3.4).</summary>
    public const int MaxDomainNameLength = 253;

    /// <summary>FETCH-1: the policy host is <c>mta-sts.&lt;policy domain&gt;</c>.</summary>
    public const string PolicyHostPrefix = "mta-sts.";

    /// <summary>FETCH-1: the well-known path of the policy file.</summary>
    public const string WellKnownPath = "/.well-known/mta-sts.txt";

    /// <summary>POL-11: the largest <c>max_age</c> the RFC allows (one year of 365.25 days).</summary>
    public const long MaxAgeLimitSeconds = 31_557_600;

    /// <summary>FETCH-11: at least five minutes between fetch attempts for one id.</summary>
    public static readonly TimeSpan FetchBackoff = TimeSpan.FromMinutes(5);
}
