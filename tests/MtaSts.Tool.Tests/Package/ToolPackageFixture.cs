using System.Diagnostics;
using System.Reflection;

namespace MtaSts.Tool.Tests.Package;

/// <summary>
/// Packs src/MtaSts.Tool (already built with this test run's configuration: no rebuild) into a temporary folder and
/// installs it with <c>dotnet tool install --tool-path</c>, as a user would; each step bounded in time.
/// </summary>
public sealed class ToolPackageFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"mta-sts-tool-{Guid.NewGuid():N}");

    public string ToolPath => Path.Combine(_root, "tools", "mta-sts");

    public string Log { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var repository = FindRepository();
        var configuration = typeof(ToolPackageFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var feed = Path.Combine(_root, "feed");
        var version = typeof(ToolApp).Assembly.GetName().Version!.ToString(3);
        await RunDotnetAsync(repository, "pack", Path.Combine(repository, "src", "MtaSts.Tool", "MtaSts.Tool.csproj"), "-c", configuration, "--no-build", "-o", feed);
        File.Exists(Path.Combine(feed, $"MtaSts.Tool.{version}.nupkg")).Should().BeTrue(Log);
        await RunDotnetAsync(_root, "tool", "install", "--tool-path", Path.Combine(_root, "tools"), "--add-source", feed, "--ignore-failed-sources", "MtaSts.Tool", "--version", version);
        File.Exists(ToolPath).Should().BeTrue(Log);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs the installed <c>mta-sts</c> with a 60 s limit.</summary>
    public Task<(int Code, string Stdout, string Stderr)> RunToolAsync(params string[] args) => RunAsync(ToolPath, _root, TimeSpan.FromSeconds(60), args);

    private async Task RunDotnetAsync(string directory, params string[] args)
    {
        // A private packages folder: a cached MtaSts.Tool of the same version from an earlier run is never picked up.
        var (code, stdout, stderr) = await RunAsync("dotnet", directory, TimeSpan.FromMinutes(4), args, ("NUGET_PACKAGES", Path.Combine(_root, "packages")));
        Log += $"dotnet {string.Join(' ', args)} -> {code}\n{stdout}\n{stderr}\n";
        code.Should().Be(0, Log);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, string directory, TimeSpan limit, string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        args.ToList().ForEach(start.ArgumentList.Add);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

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
