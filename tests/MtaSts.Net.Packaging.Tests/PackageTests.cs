using System.IO.Compression;
using System.Xml.Linq;

namespace MtaSts.Packaging.Tests;

/// <summary>What a user of the packages gets: metadata, symbols with SourceLink, and packages that restore, build and run.</summary>
public sealed class PackageTests(PackageFeedFixture feed) : IClassFixture<PackageFeedFixture>
{
    public static TheoryData<string> Packages() => [.. PackageFeedFixture.Packages];

    [Theory]
    [MemberData(nameof(Packages))]
    public void Nuspec_HasReadmeIconLicenseRepositoryAndReleaseNotes(string id)
    {
        using var package = ZipFile.OpenRead(PackagePath(id, "nupkg"));
        var nuspec = XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root!.Element(ns + "metadata")!;
        string? Value(string name) => metadata.Element(ns + name)?.Value;

        Value("id").Should().Be(id);
        Value("readme").Should().Be("README.md");
        Value("icon").Should().Be("icon.png");
        metadata.Element(ns + "license")!.Value.Should().Be("MIT");
        Value("projectUrl").Should().StartWith("https://github.com/");
        Value("releaseNotes").Should().StartWith("## " + PackageFeedFixture.Version, "release notes are the newest CHANGELOG.md section");
        var repository = metadata.Element(ns + "repository")!;
        repository.Attribute("url")!.Value.Should().StartWith("https://github.com/");
        repository.Attribute("commit")!.Value.Should().MatchRegex("^[0-9a-f]{40}$", "the package names the commit it was built from");
        package.GetEntry("icon.png").Should().NotBeNull("the icon named by the nuspec is in the package");
        using (var readme = new StreamReader(package.GetEntry("README.md")!.Open()))
        {
            readme.ReadToEnd().Should().StartWith("# " + id, "each package has a README about that package, not the repository");
        }

        package.Entries.Should().Contain(e => e.FullName.EndsWith(".xml", StringComparison.Ordinal) && e.FullName.StartsWith(id == "MtaSts.Tool" ? "tools/" : "lib/net10.0/", StringComparison.Ordinal),
            "XML docs ship with the assembly");
        var core = metadata.Descendants(ns + "dependency").Where(d => d.Attribute("id")?.Value == "MtaSts.Net").Select(d => d.Attribute("version")!.Value).ToList();
        if (id is "MtaSts.Net" or "MtaSts.Tool")
        {
            core.Should().BeEmpty("the core and the self-contained tool depend on no MtaSts.Net package");
        }
        else
        {
            core.Should().Equal([$"[{PackageFeedFixture.Version}]"], "a satellite uses the core's internals: exactly the version it was built with");
        }
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Snupkg_HoldsPortablePdbWithSourceLinkToTheRepository(string id)
    {
        using var symbols = ZipFile.OpenRead(PackagePath(id, "snupkg"));
        var name = (id == "MtaSts.Tool" ? "MtaSts.Tool" : id) + ".pdb";
        var pdb = symbols.Entries.FirstOrDefault(e => e.FullName.EndsWith(name, StringComparison.Ordinal));
        pdb.Should().NotBeNull($"the symbol package holds {name}");
        using var stream = new MemoryStream();
        pdb!.Open().CopyTo(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        text.Should().Contain("https://raw.githubusercontent.com/", "SourceLink maps the sources to the repository at the built commit");
    }

    [Fact]
    public async Task FreshConsoleApp_RestoresBuildsAndRunsFromTheFeed()
    {
        var app = Path.Combine(feed.Root, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mtasts-feed" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
                <ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MtaSts.Net" Version="{PackageFeedFixture.Version}" />
                <PackageReference Include="MtaSts.Net.MailKit" Version="{PackageFeedFixture.Version}" />
                <PackageReference Include="MtaSts.Net.HealthChecks" Version="{PackageFeedFixture.Version}" />
                <PackageReference Include="MtaSts.Net.AspNetCore" Version="{PackageFeedFixture.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), AppSource);

        await feed.DotnetAsync(app, "build", "-c", "Release");
        Directory.Exists(Path.Combine(feed.PackagesFolder, "mtasts.net", PackageFeedFixture.Version)).Should().BeTrue("MtaSts.Net came from the feed, into this run's packages folder");
        var (code, stdout, stderr) = await feed.RunAsync("dotnet", app, TimeSpan.FromMinutes(2), "run", "-c", "Release", "--no-build");

        code.Should().Be(0, stdout + stderr);
        stdout.Should().Contain("parsed: enforce, 1 mx").And.Contain("lookup: FailClosed").And.Contain("health: Healthy").And.Contain("policy server: registered");
    }

    [Fact]
    public async Task ToolPackage_InstallsAndRuns()
    {
        var tools = Path.Combine(feed.Root, "tools");
        await feed.DotnetAsync(feed.Root, "tool", "install", "--tool-path", tools, "--add-source", feed.Feed, "MtaSts.Tool", "--version", PackageFeedFixture.Version);

        var (code, stdout, stderr) = await feed.RunAsync(Path.Combine(tools, "mta-sts"), feed.Root, TimeSpan.FromMinutes(1), "--help");
        code.Should().Be(0, stderr);
        stdout.Should().Contain("mta-sts check");
        var generate = await feed.RunAsync(Path.Combine(tools, "mta-sts"), feed.Root, TimeSpan.FromMinutes(1), "generate", "--mx", "mail.example.com", "--mode", "enforce");
        generate.Code.Should().Be(0, generate.Stderr);
        generate.Stdout.Should().Contain("mode: enforce");
    }

    private string PackagePath(string id, string extension)
    {
        var path = Path.Combine(feed.Feed, $"{id}.{PackageFeedFixture.Version}.{extension}");
        File.Exists(path).Should().BeTrue($"the feed {feed.Feed} holds {Path.GetFileName(path)}");
        return path;
    }

    // The app a user would write: a policy parsed, a lookup against a closed loopback DNS port (a temporary DNS
    // failure: fail closed), a host with DI, MailKit, the health check and the policy server registered.
    private const string AppSource = """
        using System.Net;
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Diagnostics.HealthChecks;
        using MtaSts;
        using MtaSts.AspNetCore;
        using MtaSts.DependencyInjection;
        using MtaSts.MailKit;

        if (!MtaStsPolicy.TryParse("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n", out var policy, out var error))
        {
            Console.Error.WriteLine(error);
            return 1;
        }

        Console.WriteLine($"parsed: {policy!.Mode.ToString().ToLowerInvariant()}, {policy.Mx.Count} mx");
        var options = new MtaStsOptions { DnsTimeout = TimeSpan.FromSeconds(1), DnsRetries = 0 };
        options.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 9));   // discard port: nothing answers
        using (var enforcer = MtaStsEnforcer.Create(options))
        {
            var state = await enforcer.GetPolicyAsync("example.com");
            Console.WriteLine($"lookup: {state.EvaluateMx("mx.example.com").Verdict}");
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMtaSts().AddMailKit();
        services.AddHealthChecks().AddMtaStsHealthChecks();
        services.AddMtaStsPolicyServer(new ConfigurationBuilder().Build());
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Console.WriteLine($"health: {report.Status}");
        Console.WriteLine($"policy server: {(provider.GetService<IMtaStsPolicyProvider>() is null ? "missing" : "registered")}");
        return 0;
        """;
}
