using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MtaSts.Testing;

namespace MtaSts.Worker;

/// <summary>
/// The worker's offline mode (CI): a loopback DNS server and HTTPS policy host publish an <c>enforce</c> policy for
/// example.com, the queue holds one listed and one unlisted MX, and the health log runs every second.
/// </summary>
public sealed class OfflineWorld : LoopbackInternet
{
    private const string Policy = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n";

    private OfflineWorld(TestCertificateAuthority ca, LoopbackDnsServer dns, LoopbackPolicyHost https)
        : base(ca, dns, https)
    {
    }

    /// <summary>A temporary directory for the policy store, removed on dispose.</summary>
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("mtasts-worker-").FullName;

    /// <summary>The seconds given after <c>--offline-demo</c>, or <see langword="null"/> without it.</summary>
    public static int? Seconds(string[] args)
    {
        var at = Array.IndexOf(args, "--offline-demo");
        if (at < 0)
        {
            return null;
        }

        return at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 600
            ? seconds
            : throw new ArgumentException("--offline-demo takes a number of seconds from 1 to 600.");
    }

    public static async Task<OfflineWorld> StartAsync()
    {
        var world = await StartAsync("MtaSts.Worker Offline Root", (ca, dns, https) => new OfflineWorld(ca, dns, https));
        world.Publish("example.com", "20250101", Policy);
        return world;
    }

    /// <summary>Points the enforcer at the loopback world and replaces the queue.</summary>
    public void Configure(HostApplicationBuilder builder)
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Queue:0"] = "example.com mail.example.com",
            ["Queue:1"] = "example.com mx.attacker.example",
            ["HealthLog:Interval"] = "00:00:01",
        });
        builder.Services.Configure<MtaStsOptions>(o =>
        {
            var world = EnforcerOptions();
            o.NameServers.Clear();
            o.NameServers.Add(Dns.EndPoint);
            o.PolicyHostTrustedRoots = world.PolicyHostTrustedRoots;
            o.PolicyHostConnectCallback = world.PolicyHostConnectCallback;
        });
    }

    /// <summary>0 when the listed MX was allowed, the unlisted one refused, and the last health check healthy.</summary>
    public static int Verify(DeliveryTally tally, HealthLog health)
    {
        var ok = tally.Allowed == 1 && tally.Refused == 1 && health.Last == HealthStatus.Healthy;
        Console.WriteLine($"offline demo: {tally.Allowed} allowed, {tally.Refused} refused, health {health.Last?.ToString() ?? "never checked"}: {(ok ? "as expected" : "NOT as expected")}");
        return ok ? 0 : 1;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
