using System.Net;
using MtaSts.Reporting;

namespace MtaSts.Tests.Reporting;

public class NonPublicAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]          // loopback
    [InlineData("10.1.2.3", true)]           // RFC 1918
    [InlineData("172.16.0.1", true)]         // RFC 1918
    [InlineData("172.31.255.255", true)]     // RFC 1918, last of /12
    [InlineData("192.168.1.1", true)]        // RFC 1918
    [InlineData("169.254.169.254", true)]    // link-local: cloud metadata
    [InlineData("100.64.0.1", true)]         // CGNAT 100.64/10
    [InlineData("100.127.255.255", true)]    // CGNAT, last
    [InlineData("0.0.0.0", true)]            // unspecified
    [InlineData("224.0.0.1", true)]          // multicast
    [InlineData("255.255.255.255", true)]    // broadcast
    [InlineData("::", true)]                 // unspecified
    [InlineData("::1", true)]                // loopback
    [InlineData("fe80::1", true)]            // link-local
    [InlineData("fc00::1", true)]            // unique-local
    [InlineData("fd12:3456::1", true)]       // unique-local
    [InlineData("ff02::1", true)]            // multicast
    [InlineData("::ffff:127.0.0.1", true)]   // IPv4-mapped loopback
    [InlineData("::ffff:169.254.169.254", true)] // IPv4-mapped metadata
    [InlineData("::ffff:10.0.0.1", true)]    // IPv4-mapped private
    [InlineData("64:ff9b::a00:1", true)]     // NAT64 of 10.0.0.1
    [InlineData("8.8.8.8", false)]           // public
    [InlineData("172.32.0.1", false)]        // just past 172.16/12
    [InlineData("100.128.0.1", false)]       // just past 100.64/10
    [InlineData("203.0.113.7", false)]       // documentation, routable in tests' eyes
    [InlineData("2001:4860:4860::8888", false)] // public IPv6
    [InlineData("::ffff:8.8.8.8", false)]    // IPv4-mapped public
    public void IsNonPublic(string address, bool expected) =>
        NonPublicAddress.IsNonPublic(IPAddress.Parse(address)).Should().Be(expected, address);
}
