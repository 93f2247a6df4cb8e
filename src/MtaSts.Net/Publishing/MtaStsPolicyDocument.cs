using System.Security.Cryptography;
using System.Text;

namespace MtaSts.Publishing;

/// <summary>
/// The publisher's side of a policy: the body to serve at <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c>
/// (CRLF lines, validated by the strict parser) and the <c>_mta-sts</c> TXT record whose <c>id</c> is derived from that
/// body, so the id changes exactly when the policy does. The <c>mta-sts generate</c> command and the ASP.NET Core
/// policy server both use it.
/// </summary>
/// <seealso href="https://www.rfc-editor.org/rfc/rfc8461#section-3">RFC 8461 §3</seealso>
public sealed class MtaStsPolicyDocument
{
    /// <summary>The largest <c>max_age</c> the RFC allows, in seconds (POL-11).</summary>
    public const long MaxMaxAgeSeconds = 31557600;

    private const int IdLength = 20;

    private MtaStsPolicyDocument(MtaStsPolicy policy, string body)
    {
        Policy = policy;
        Body = body;
        Id = ComputeId(body);
    }

    /// <summary>The parsed policy.</summary>
    public MtaStsPolicy Policy { get; }

    /// <summary>The policy body: <c>version</c>, <c>mode</c>, each <c>mx</c>, <c>max_age</c>, each line ending in CRLF.</summary>
    public string Body { get; }

    /// <summary>The policy id: the first 20 lower-case hex digits of the SHA-256 of the UTF-8 body (TXT-7: 1–32 letters or digits).</summary>
    public string Id { get; }

    /// <summary>The TXT record to publish at <c>_mta-sts.&lt;domain&gt;</c>: <c>v=STSv1; id=&lt;Id&gt;</c>.</summary>
    public string TxtRecord => $"v=STSv1; id={Id}";

    /// <summary>Builds and validates a policy document.</summary>
    /// <param name="mode">The policy mode.</param>
    /// <param name="mx">The <c>mx</c> patterns (<c>mail.example.com</c> or <c>*.example.com</c>, POL-13); at least one unless the mode is <c>none</c>.</param>
    /// <param name="maxAgeSeconds">The <c>max_age</c>, 0 to <see cref="MaxMaxAgeSeconds"/> (POL-11).</param>
    /// <param name="document">The document, when the inputs are valid.</param>
    /// <param name="error">Why they are not, when they are not.</param>
    /// <returns><see langword="true"/> when the inputs make a valid policy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mx"/> is null.</exception>
    public static bool TryCreate(MtaStsMode mode, IEnumerable<string> mx, long maxAgeSeconds, out MtaStsPolicyDocument? document, out string? error)
    {
        ArgumentNullException.ThrowIfNull(mx);
        document = null;
        if (mode is not (MtaStsMode.None or MtaStsMode.Testing or MtaStsMode.Enforce))
        {
            error = $"mode {(int)mode} is not none, testing or enforce (POL-3)";
            return false;
        }

        if (maxAgeSeconds is < 0 or > MaxMaxAgeSeconds)
        {
            error = $"max_age {maxAgeSeconds} is outside 0..{MaxMaxAgeSeconds} seconds (POL-11)";
            return false;
        }

        var body = new StringBuilder("version: STSv1\r\n").Append("mode: ").Append(mode.ToString().ToLowerInvariant()).Append("\r\n");
        foreach (var pattern in mx)
        {
            // POL-13: one pattern per line; anything that could break the line structure is refused before parsing.
            if (pattern is null || pattern.Length == 0 || pattern.AsSpan().ContainsAny("\r\n\0 \t"))
            {
                error = $"mx '{pattern}' is not a host name or a *. wildcard (POL-13)";
                return false;
            }

            body.Append("mx: ").Append(pattern).Append("\r\n");
        }

        body.Append("max_age: ").Append(maxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        var text = body.ToString();
        if (!MtaStsPolicy.TryParse(text, MtaStsParsingMode.Strict, out var policy, out var parseError))
        {
            error = parseError;
            return false;
        }

        document = new MtaStsPolicyDocument(policy!, text);
        error = null;
        return true;
    }

    /// <summary>The id for a policy body: the first 20 lower-case hex digits of its UTF-8 SHA-256.</summary>
    /// <param name="body">The policy body exactly as served.</param>
    /// <returns>The id, 20 letters and digits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public static string ComputeId(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(body));
        return Convert.ToHexStringLower(hash)[..IdLength];
    }

    /// <inheritdoc/>
    public override string ToString() => $"{TxtRecord} {Policy}";
}
