using System.Net;
using System.Runtime.InteropServices;
using MtaSts.Discovery;

namespace MtaSts.Tests.Discovery;

/// <summary>Which DNS servers the library asks when none is configured.</summary>
public sealed class NameServerDiscoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mtasts-resolv-").FullName;

    [Fact]
    public void Resolve_Configured_UsedAsGiven()
    {
        var configured = new[] { new IPEndPoint(IPAddress.Loopback, 5353) };
        NameServerDiscovery.Resolve(configured, () => throw new InvalidOperationException("not asked"), "/nonexistent")
            .Should().Equal(configured);
    }

    [Fact]
    public void Resolve_NoneOnInterfaces_FallsBackToResolvConf()
    {
        var path = Write("# generated\nsearch example.internal\nnameserver 127.0.0.53\nnameserver ::1\noptions edns0 trust-ad\nnameserver bogus\n");
        NameServerDiscovery.Resolve([], () => [], path).Should().Equal(
            new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53), new IPEndPoint(IPAddress.IPv6Loopback, 53));
    }

    [Fact]
    public void Resolve_FoundOnInterfaces_ResolvConfNotRead()
    {
        var found = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 53);
        NameServerDiscovery.Resolve([], () => [found], Write("nameserver 127.0.0.9\n")).Should().Equal(found);
    }

    [Fact]
    public void Resolve_NoneAnywhere_Empty()
    {
        NameServerDiscovery.Resolve([], () => [], Path.Combine(_dir, "missing")).Should().BeEmpty();
        NameServerDiscovery.Resolve([], () => [], Write("search example\n")).Should().BeEmpty();
    }

    [Fact]
    public void ReadResolvConf_HugeFile_BoundedToEightServers()
    {
        var path = Write(string.Concat(Enumerable.Range(1, 5000).Select(i => $"nameserver 127.0.{i / 250}.{i % 250 + 1}\n")));
        NameServerDiscovery.ReadResolvConf(path).Should().HaveCount(8);
    }

    [Fact]
    public void NoneFoundMessage_SaysWhatToSet() =>
        NameServerDiscovery.NoneFoundMessage.Should().Contain("NameServers").And.Contain("/etc/resolv.conf");

    // The fault itself: a thread moved into a fresh network namespace sees only a loopback interface that is down.
    // DnsClient finds no name server there; the library must still find the one /etc/resolv.conf names.
    [Fact]
    public void Resolve_InNetworkNamespaceWithOnlyLoopback_UsesResolvConf()
    {
        var expected = NameServerDiscovery.ReadResolvConf(NameServerDiscovery.ResolvConfPath);
        expected.Should().NotBeEmpty("this machine's /etc/resolv.conf names a server");

        IReadOnlyList<IPEndPoint>? resolved = null;
        int? dnsClientFound = null;
        var error = 0;
        var thread = new Thread(() =>
        {
            if (Unshare(CloneNewNet) != 0)
            {
                error = Marshal.GetLastWin32Error();
                return;
            }

            dnsClientFound = DnsClient.NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false).Count;
            resolved = NameServerDiscovery.Resolve([]);
        });
        thread.Start();
        thread.Join(TimeSpan.FromSeconds(30)).Should().BeTrue();

        error.Should().Be(0, "unshare(CLONE_NEWNET) needs root, as CI runs");
        dnsClientFound.Should().Be(0, "the fault: DnsClient reads only the interfaces");
        resolved.Should().Equal(expected);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, text);
        return path;
    }

    private const int CloneNewNet = 0x40000000;

#pragma warning disable SYSLIB1054 // a blittable call; no source-generated marshalling needed
    [DllImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static extern int Unshare(int flags);
#pragma warning restore SYSLIB1054
}
