using System.Net;
using System.Net.Sockets;

namespace MtaSts.Reporting;

/// <summary>
/// Addresses an <c>https:</c> report endpoint may not use unless <see cref="TlsRptOptions.AllowPrivateEndpoints"/> is
/// set: a report URI comes from the recipient's DNS, so it must not make the sender POST into its own network.
/// </summary>
internal static class NonPublicAddress
{
    public static bool IsNonPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4(); // ::ffff:127.0.0.1 is 127.0.0.1
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] is 0 or 10 or 127 or >= 224                   // "this" network, RFC 1918 10/8, loopback, multicast and reserved
                || (b[0] == 100 && (b[1] & 0xC0) == 64)                // 100.64.0.0/10 shared (CGNAT)
                || (b[0] == 169 && b[1] == 254)                        // link-local, including 169.254.169.254
                || (b[0] == 172 && (b[1] & 0xF0) == 16)                // 172.16.0.0/12
                || (b[0] == 192 && b[1] == 168)                        // 192.168.0.0/16
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)             // 192.0.0.0/24 protocol assignments
                || (b[0] == 198 && (b[1] & 0xFE) == 18);               // 198.18.0.0/15 benchmarking
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }

        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback) || address.IsIPv6Multicast
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal)
        {
            return true;                                               // ::, ::1, ff00::/8, fe80::/10, fec0::/10, fc00::/7
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        if (v6[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return IsNonPublic(new IPAddress(v6[12..]));               // IPv4-compatible ::a.b.c.d
        }

        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return IsNonPublic(new IPAddress(v6[12..]));               // NAT64 64:ff9b::/96 of a private IPv4
        }

        return false;
    }
}
