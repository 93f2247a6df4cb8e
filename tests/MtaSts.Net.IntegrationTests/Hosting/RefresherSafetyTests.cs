using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.Discovery;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Hosting;

/// <summary>The refresher can neither stop the host nor undo a newer policy (CACHE-6, CACHE-8).</summary>
public sealed class RefresherSafetyTests : WorldTest
{
    // The send path wraps ResolveAsync in a catch-all (internal-error); the refresher calls it directly. An exception
    // from a custom IMtaStsTxtResolver (or any bug below ResolveAsync) escapes RefreshDueAsync, then ExecuteAsync, and
    // with the default BackgroundServiceExceptionBehavior.StopHost stops the whole application.
    [Fact]
    public async Task Refresher_ResolverThrows_PassDoesNotThrow()
    {
        World.Publish("example.com", "1", TestWorld.EnforcePolicy);
        var resolver = new FlakyResolver();
        using var enforcer = MtaStsEnforcer.Compose(World.Options(), new EnforcerParts(World.Time, NullLoggerFactory.Instance, new MtaSts.Telemetry.MtaStsTelemetry(null), EnforcerParts.DnsFor(World.Options()), resolver), []);
        (await enforcer.GetPolicyAsync("example.com")).Policy.Should().NotBeNull("the policy the refresher will refresh");

        resolver.Throw = true;
        (await enforcer.GetPolicyAsync("other.example")).DiscoveryFailure!.ReasonCode.Should().Be("internal-error", "the send path contains it");

        World.Time.Advance(TimeSpan.FromHours(25));
        using var refresher = new MtaStsPolicyRefresher(enforcer, Options.Create(new MtaStsRefreshOptions()), World.Time, NullLogger<MtaStsPolicyRefresher>.Instance);
        var pass = async () => await refresher.RefreshDueAsync(default);

        await pass.Should().NotThrowAsync("a failing refresh is a failed refresh, not a dead hosted service");
    }

    // The refresher's forced fetch goes through the single-flight: a lookup that comes while it runs joins it instead
    // of fetching beside it, so a refresh that fails can never write back an older entry over a newer policy that a
    // concurrent lookup stored (before: testing came back over enforce, or "no policy" once the old one had expired).
    [Theory]
    [InlineData(86400)]   // the old policy has expired by the time the pass runs
    [InlineData(604800)]  // the old policy is still valid
    public async Task Refresher_FailingWhileALookupComes_NeverRevertsANewerPolicy(int oldMaxAge)
    {
        var testing = TestWorld.EnforcePolicy.Replace("enforce", "testing", StringComparison.Ordinal).Replace("86400", oldMaxAge.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        World.Publish("example.com", "1", testing);
        var enforcer = World.Enforcer();
        (await enforcer.GetPolicyAsync("example.com")).Policy!.Mode.Should().Be(MtaStsMode.Testing);

        var requests = 0;
        var refresherArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseRefresher = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        World.Dns.SetTxt("_mta-sts.example.com", 300, ["v=STSv1; id=2"]);
        World.Https.Serve("mta-sts.example.com", async context =>
        {
            if (Interlocked.Increment(ref requests) == 1)
            {
                refresherArrived.TrySetResult();
                await releaseRefresher.Task;
                context.Response.StatusCode = 500;
                return;
            }

            context.Response.ContentType = "text/plain";
            await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, TestWorld.EnforcePolicy);
        });

        World.Time.Advance(TimeSpan.FromHours(25));
        using var refresher = new MtaStsPolicyRefresher(enforcer, Options.Create(new MtaStsRefreshOptions()), World.Time, NullLogger<MtaStsPolicyRefresher>.Instance);
        var pass = refresher.RefreshDueAsync(default);
        await refresherArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var during = enforcer.GetPolicyAsync("example.com").AsTask();
        (await Task.WhenAny(during, Task.Delay(300))).Should().NotBeSameAs(during, "the lookup joins the refresh in flight");
        releaseRefresher.TrySetResult();
        await pass.WaitAsync(TimeSpan.FromSeconds(10));
        await during.WaitAsync(TimeSpan.FromSeconds(10));
        requests.Should().Be(1, "one flight, one fetch");

        World.Time.Advance(TimeSpan.FromMinutes(6)); // FETCH-11: id 2 is fetched again after the back-off
        var after = await enforcer.GetPolicyAsync("example.com");
        (after.Policy?.Mode).Should().Be(MtaStsMode.Enforce, $"the newer policy applies (now: {after})");
        (await enforcer.GetPolicyAsync("example.com")).Policy!.Mode.Should().Be(MtaStsMode.Enforce, "and stays");
    }

    private sealed class FlakyResolver : IMtaStsTxtResolver
    {
        public bool Throw { get; set; }

        public ValueTask<MtaStsTxtLookupResult> ResolveTxtAsync(string name, CancellationToken cancellationToken = default) =>
            Throw ? throw new InvalidOperationException("resolver bug") : ValueTask.FromResult(MtaStsTxtLookupResult.Found(["v=STSv1; id=1"], TimeSpan.FromMinutes(5)));
    }
}
