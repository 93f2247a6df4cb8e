using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace MtaSts.Discovery;

/// <summary>
/// Which DNS servers to ask: the configured ones; else those DnsClient finds on the network interfaces; else the
/// <c>nameserver</c> lines of <c>/etc/resolv.conf</c>. DnsClient reads only the interfaces, so on a host whose only
/// interface is loopback (a network namespace, some containers) it finds none although <c>resolv.conf</c> names one;
/// the fallback covers that. Never Google's public DNS, which DnsClient can fall back to.
/// </summary>
internal static class NameServerDiscovery
{
    public const string ResolvConfPath = "/etc/resolv.conf";
    private const int MaxResolvConfBytes = 64 * 1024;
    private const int MaxServers = 8;

    /// <summary>The servers to use; empty when there are none anywhere.</summary>
    public static IReadOnlyList<IPEndPoint> Resolve(IReadOnlyCollection<IPEndPoint> configured) => Resolve(configured, DiscoverFromInterfaces, ResolvConfPath);

    internal static IReadOnlyList<IPEndPoint> Resolve(IReadOnlyCollection<IPEndPoint> configured, Func<IReadOnlyList<IPEndPoint>> discover, string resolvConf)
    {
        if (configured.Count > 0)
        {
            return [.. configured];
        }

        var found = discover();
        return found.Count > 0 ? found : ReadResolvConf(resolvConf);
    }

    /// <summary>The message start-up validation and <see cref="MtaStsEnforcer.Create"/> give when no server is found.</summary>
    public static string NoneFoundMessage =>
        $"No DNS name server: {nameof(MtaStsOptions)}.{nameof(MtaStsOptions.NameServers)} is empty, none was found on the network " +
        $"interfaces, and {ResolvConfPath} names none. Set {nameof(MtaStsOptions.NameServers)} (e.g. 127.0.0.53:53).";

    /// <summary>The <c>nameserver</c> lines of a resolv.conf file (IPv4 or IPv6, an IPv6 zone allowed), at most eight.</summary>
    internal static IReadOnlyList<IPEndPoint> ReadResolvConf(string path)
    {
        string text;
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[MaxResolvConfBytes];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            text = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        List<IPEndPoint> servers = [];
        foreach (var rawLine in text.Split('\n'))
        {
            var fields = rawLine.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0] == "nameserver" && IPAddress.TryParse(fields[1], out var address)
                && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                servers.Add(new IPEndPoint(address, NameServer.DefaultPort));
                if (servers.Count == MaxServers)
                {
                    break;
                }
            }
        }

        return servers;
    }

    private static IReadOnlyList<IPEndPoint> DiscoverFromInterfaces()
    {
        try
        {
            return [.. NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false)
                .Select(s => new IPEndPoint(IPAddress.Parse(s.Address), s.Port))];
        }
#pragma warning disable CA1031 // Discovery failing in any way means "none found here"; resolv.conf is the fallback.
        catch (Exception)
#pragma warning restore CA1031
        {
            return [];
        }
    }
}
