using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtaSts.DependencyInjection;
using MtaSts.Tool.Cli;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// <c>mta-sts postfix-daemon</c>: the Postfix socketmap policy daemon, a generic host. Configuration, later sources
/// winning: <c>appsettings.json</c> in the working directory, the file given with <c>--config</c>, environment
/// variables (<c>Postfix__Listen__0=…</c>, <c>MtaSts__DnsTimeout=…</c>), then the command line
/// (<c>--Postfix:Zones:postfix:StrictTesting=true</c>). Stops on SIGTERM or Ctrl+C.
/// </summary>
internal static class PostfixDaemonCommand
{
    public const string Name = "postfix-daemon";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            await output.WriteLineAsync(Usage.PostfixDaemon).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        IHost host;
        try
        {
            if (!TryBuild(args, errors, out host!, null, null))
            {
                return ExitCodes.Usage;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            await errors.WriteLineAsync($"mta-sts postfix-daemon: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using (host)
        {
            try
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException
                or Microsoft.Extensions.Options.OptionsValidationException)
            {
                await errors.WriteLineAsync($"mta-sts postfix-daemon: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Problems;
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Builds the host. <paramref name="configureMtaSts"/> and <paramref name="configureServices"/> are for tests
    /// (an in-process loopback world); the command passes <see langword="null"/>.
    /// </summary>
    public static bool TryBuild(string[] args, TextWriter errors, out IHost? host, Action<MtaStsOptions>? configureMtaSts,
        Action<IServiceCollection>? configureServices)
    {
        host = null;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = false });
        var configFile = ConfigFile(args);
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
            builder.Configuration.AddCommandLine(args); // the command line still wins over the file
        }

        List<string> problems = [];
        var settings = PostfixDaemonSettings.Read(builder.Configuration, problems);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                errors.WriteLine($"mta-sts postfix-daemon: {problem}");
            }

            return false;
        }

        var roots = settings.CaFile is null ? null : LoadRoots(settings.CaFile);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = null; // journald and container runtimes add their own
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ShutdownTimeout + TimeSpan.FromSeconds(5));
        var mtaSts = builder.Services.AddMtaSts(builder.Configuration);
        if (roots is not null)
        {
            mtaSts.Configure(o => o.PolicyHostTrustedRoots = roots);
        }

        if (configureMtaSts is not null)
        {
            mtaSts.Configure(configureMtaSts);
        }

        if (settings.Redis is not null)
        {
            builder.Services.AddStackExchangeRedisCache(o =>
            {
                o.Configuration = settings.Redis;
                o.InstanceName = settings.RedisInstanceName;
            });
            mtaSts.UseDistributedCacheStore();
        }

        if (settings.Refresh)
        {
            mtaSts.AddPolicyRefresher();
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<SocketmapResponder>();
        builder.Services.AddSingleton<SocketmapServer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SocketmapServer>());
        configureServices?.Invoke(builder.Services);
        host = builder.Build();
        return true;
    }

    private static string? ConfigFile(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                return args[i]["--config=".Length..];
            }
        }

        return null;
    }

    private static X509Certificate2Collection LoadRoots(string path)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        if (roots.Count == 0)
        {
            throw new InvalidDataException($"Postfix:CaFile {path} holds no PEM certificate.");
        }

        return roots;
    }
}
