using System.Diagnostics;
using System.Reflection;

namespace MtaSts.Packaging.Tests;

/// <summary>
/// The local feed under test: <c>MTASTS_PACKAGE_FEED</c> when set (it must then hold every package: a missing feed
/// fails, never skips), else the shipped projects packed into a temporary folder. Each process bounded in time.
/// </summary>
public sealed class PackageFeedFixture : IAsyncLifetime
{
    public static readonly string[] Packages = ["MtaSts.Net", "MtaSts.Net.MailKit", "MtaSts.Net.AspNetCore", "MtaSts.Net.HealthChecks", "MtaSts.Tool"];

    public const string Version = "0.1.0";

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"mtasts-packaging-{Guid.NewGuid():N}");

    public string Feed { get; private set; } = string.Empty;

    public string Repository { get; } = FindRepository();

    /// <summary>A packages folder of this run only: no MtaSts package of an earlier run is picked up.</summary>
    public string PackagesFolder => Path.Combine(Root, "packages");

    public string Log { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var given = Environment.GetEnvironmentVariable("MTASTS_PACKAGE_FEED");
        if (!string.IsNullOrEmpty(given))
        {
            Feed = Path.GetFullPath(given, Repository);
            Directory.Exists(Feed).Should().BeTrue($"MTASTS_PACKAGE_FEED names {Feed}, which must exist (.ci/run packs into it)");
            return;
        }

        Feed = Path.Combine(Root, "feed");
        var configuration = typeof(PackageFeedFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        foreach (var package in Packages)
        {
            var project = Path.Combine(Repository, "src", package, package + ".csproj");
            await DotnetAsync(Repository, "pack", project, "-c", configuration, "-o", Feed);
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a process may still hold a file
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs <c>dotnet</c> with this run's packages folder; asserts exit code 0.</summary>
    public async Task<string> DotnetAsync(string directory, params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync("dotnet", directory, TimeSpan.FromMinutes(5), args);
        Log += $"dotnet {string.Join(' ', args)} -> {code}\n{stdout}\n{stderr}\n";
        code.Should().Be(0, Log);
        return stdout;
    }

    public async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, string directory, TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        args.ToList().ForEach(start.ArgumentList.Add);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["NUGET_PACKAGES"] = PackagesFolder;
        start.Environment.Remove("MTASTS_PACKAGE_FEED");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {limit}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MtaSts.Net.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("MtaSts.Net.sln not found above " + AppContext.BaseDirectory);
    }
}
