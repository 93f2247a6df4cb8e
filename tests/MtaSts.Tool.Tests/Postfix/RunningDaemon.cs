using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtaSts.Tool.Postfix;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>
/// The daemon as <c>mta-sts postfix-daemon</c> builds it, in-process, pointed at a loopback world: a TCP listener on
/// 127.0.0.1 (port chosen by the system) and a Unix socket in the temp directory.
/// </summary>
internal sealed class RunningDaemon : IAsyncDisposable
{
    private RunningDaemon(IHost host, string unixPath)
    {
        Host = host;
        UnixPath = unixPath;
        var endPoints = host.Services.GetRequiredService<SocketmapServer>().EndPoints;
        Tcp = endPoints.OfType<IPEndPoint>().First();
        Unix = new System.Net.Sockets.UnixDomainSocketEndPoint(unixPath);
    }

    public IHost Host { get; }

    public string UnixPath { get; }

    public IPEndPoint Tcp { get; }

    public EndPoint Unix { get; }

    public static Task<RunningDaemon> StartAsync(ToolWorld world, params string[] settings) => StartAsync(world, null, settings);

    public static Task<RunningDaemon> StartAsync(ToolWorld world, CapturedLog? log, params string[] settings) =>
        StartAsync(world, log, null, settings);

    /// <summary>Starts the daemon; <paramref name="services"/> replaces services (a unit seam, such as a failing enforcer).</summary>
    public static async Task<RunningDaemon> StartAsync(ToolWorld world, CapturedLog? log, Action<IServiceCollection>? services, params string[] settings)
    {
        var unixPath = Path.Combine(Path.GetTempPath(), $"mta-sts-{Guid.NewGuid():N}.sock");
        string[] args =
        [
            "--Postfix:Listen:0=inet:127.0.0.1:0",
            $"--Postfix:Listen:1=unix:{unixPath}",
            "--Postfix:Refresh=false",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        var errors = new StringWriter();
        var configure = services;
        PostfixDaemonCommand.TryBuild(args, errors, out var host, o =>
        {
            var loopback = world.EnforcerOptions();
            o.PolicyHostTrustedRoots = loopback.PolicyHostTrustedRoots;
            o.MxTrustedRoots = loopback.MxTrustedRoots;
            o.PolicyHostConnectCallback = loopback.PolicyHostConnectCallback;
            o.NameServers.Add(world.Dns.EndPoint);
            o.DnsTimeout = TimeSpan.FromSeconds(2);
            o.DnsRetries = 0;
        }, services =>
        {
            if (log is not null)
            {
                services.AddLogging(b => b.AddProvider(log).AddFilter<CapturedLog>("MtaSts", LogLevel.Debug));
            }

            configure?.Invoke(services);
        }).Should().BeTrue(errors.ToString());
        await host!.StartAsync();
        return new RunningDaemon(host, unixPath);
    }

    public Task<SocketmapClient> ConnectAsync(bool unix = false) => SocketmapClient.ConnectAsync(unix ? Unix : Tcp);

    /// <summary>One query on a fresh connection.</summary>
    public async Task<string?> QueryAsync(string key, string map = "postfix")
    {
        using var client = await ConnectAsync();
        return await client.QueryAsync(map, key);
    }

    public async ValueTask DisposeAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StopAsync(limit.Token);
        Host.Dispose();
    }
}
