using System.Globalization;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MtaSts.Tool.Postfix;

namespace MtaSts.Benchmarks;

/// <summary>
/// Cached lookups through <c>mta-sts postfix-daemon</c> over TCP on loopback, one request in flight per connection,
/// at 1 and 32 connections, against <see cref="NoWorkNetstringServer"/> (the same socket type, no work). Targets:
/// ≥ 0.7× its throughput, p99 ≤ 1.5× its p99, 0 B per lookup on the server. The load generator allocates nothing,
/// so Allocated is the server's allocation per lookup (in process: the whole process is measured). The P99 column is over every request of the case's process.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class SocketmapBenchmarks
{
    private const int LookupsPerInvocation = 2048;
    private const string Request = "postfix example.com";
    private LoopbackWorld _world = null!;
    private IHost _daemon = null!;
    private NoWorkNetstringServer _noWork = null!;
    private SocketmapLoadGenerator _toDaemon = null!;
    private SocketmapLoadGenerator _toNoWork = null!;
    private bool _daemonUsed;

    [Params(1, 32)]
    public int Connections { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _world = LoopbackWorld.StartAsync().GetAwaiter().GetResult();
        var errors = new StringWriter();
        if (!PostfixDaemonCommand.TryBuild(["--Postfix:Listen:0=inet:127.0.0.1:0", "--Postfix:Refresh=false", "--Logging:LogLevel:Default=Warning"],
                errors, out var host, o =>
                {
                    var world = _world.EnforcerOptions();
                    o.NameServers.Add(_world.DnsEndPoint);
                    o.PolicyHostTrustedRoots = world.PolicyHostTrustedRoots;
                    o.PolicyHostConnectCallback = world.PolicyHostConnectCallback;
                    o.TxtRecheckMinimum = TimeSpan.FromHours(1);
                    o.TxtRecheckMaximum = TimeSpan.FromDays(1);
                }, null))
        {
            throw new InvalidOperationException(errors.ToString());
        }

        _daemon = host!;
        _daemon.StartAsync().GetAwaiter().GetResult();
        var endPoint = (IPEndPoint)_daemon.Services.GetRequiredService<SocketmapServer>().EndPoints[0];
        var reply = Warm(endPoint);
        _noWork = new NoWorkNetstringServer(reply);
        _toDaemon = new SocketmapLoadGenerator(endPoint, Connections, Request, reply.Length);
        _toNoWork = new SocketmapLoadGenerator(_noWork.EndPoint, Connections, Request, reply.Length);
        // Both paths warm and tiered up (tiered compilation promotes hot code after a delay), so that the P99 of the
        // run measures steady state, not the JIT.
        for (var round = 0; round < 3; round++)
        {
            _toDaemon.Run(8192 / Connections);
            _toNoWork.Run(8192 / Connections);
            Thread.Sleep(300);
        }

        _toDaemon.ResetLatencies();
        _toNoWork.ResetLatencies();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var used = _daemonUsed ? _toDaemon : _toNoWork;
        Columns.Write(_daemonUsed ? nameof(Daemon) : nameof(NoWorkServer), Connections, used.Percentile(99), used.Failures);
        _toDaemon.Dispose();
        _toNoWork.Dispose();
        _noWork.Dispose();
        _daemon.StopAsync().GetAwaiter().GetResult();
        _daemon.Dispose();
        _world.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = LookupsPerInvocation)]
    public void NoWorkServer() => _toNoWork.Run(LookupsPerInvocation / Connections);

    [Benchmark(OperationsPerInvoke = LookupsPerInvocation)]
    public void Daemon()
    {
        _daemonUsed = true;
        _toDaemon.Run(LookupsPerInvocation / Connections);
    }

    // One lookup through a plain socket: the policy is discovered and the encoded reply cached.
    private static byte[] Warm(IPEndPoint endPoint)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Tcp);
        socket.Connect(endPoint);
        socket.Send(Encoding.ASCII.GetBytes($"{Request.Length}:{Request},"));
        var buffer = new byte[4096];
        var read = socket.Receive(buffer);
        var reply = buffer[..read];
        if (!Encoding.ASCII.GetString(reply).Contains("OK secure match=", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"setup failed: {Encoding.ASCII.GetString(reply)}");
        }

        return reply;
    }

    /// <summary>Adds the P99 latency column, read from a file each case's process writes at cleanup.</summary>
    private sealed class Columns : ManualConfig
    {
        private static readonly string ResultDirectory = Path.Combine(Path.GetTempPath(), "mta-sts-socketmap-benchmarks");

        // A short job, in process: no boilerplate project to build on a busy machine; a few seconds per case.
        public Columns()
        {
            AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8)
                .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance));
            AddColumn(new P99Column());
        }

        public static void Write(string method, int connections, double p99, int failures)
        {
            Directory.CreateDirectory(ResultDirectory);
            File.WriteAllText(Path.Combine(ResultDirectory, $"{method}-{connections}.txt"),
                string.Create(CultureInfo.InvariantCulture, $"{p99} {failures}"));
        }

        private sealed class P99Column : IColumn
        {
            public string Id => "SocketmapP99";

            public string ColumnName => "P99 (µs)";

            public bool AlwaysShow => true;

            public ColumnCategory Category => ColumnCategory.Custom;

            public int PriorityInCategory => 0;

            public bool IsNumeric => true;

            public UnitType UnitType => UnitType.Dimensionless;

            public string Legend => "99th percentile of one request's round trip, over every request of the case's process";

            public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

            public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
            {
                var connections = benchmarkCase.Parameters["Connections"];
                var path = Path.Combine(ResultDirectory, $"{benchmarkCase.Descriptor.WorkloadMethod.Name}-{connections}.txt");
                if (!File.Exists(path))
                {
                    return "?";
                }

                var parts = File.ReadAllText(path).Split(' ');
                return parts[1] == "0" ? parts[0] : $"{parts[0]} ({parts[1]} failed)";
            }

            public bool IsAvailable(Summary summary) => true;

            public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        }
    }
}
