using System.Net;
using System.Net.Sockets;

namespace MtaSts.Tool.Postfix;

/// <summary>Where the daemon listens: <c>inet:127.0.0.1:8461</c>, <c>inet:[::1]:8461</c> or <c>unix:/path/to/socket</c>
/// (the forms of Postfix's <c>socketmap:</c> table names, without the map name).</summary>
/// <param name="Text">The address as configured.</param>
/// <param name="EndPoint">The socket address.</param>
internal sealed record ListenAddress(string Text, EndPoint EndPoint)
{
    public bool IsUnix => EndPoint is UnixDomainSocketEndPoint;

    public static bool TryParse(string text, out ListenAddress? address)
    {
        address = null;
        if (text.StartsWith("unix:", StringComparison.Ordinal) && text.Length > 5 && text.Length < 100)
        {
            address = new ListenAddress(text, new UnixDomainSocketEndPoint(text[5..]));
            return true;
        }

        if (text.StartsWith("inet:", StringComparison.Ordinal) && IPEndPoint.TryParse(text[5..], out var ip)
            && (ip.Port != 0 || text.EndsWith(":0", StringComparison.Ordinal)))
        {
            address = new ListenAddress(text, ip);
            return true;
        }

        return false;
    }
}
