using System.Collections.Concurrent;
using MtaSts.Caching;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>A removal waiting in the background write queue stays visible to lookups until the store has it.</summary>
public sealed class QueuedRemovalTests : WorldTest
{
    // Before: the worker took the pending write out of the queue before the inner write completed, so
    // for the length of a store call GetAsync neither sees the queued removal nor the removed entry: a lookup in that
    // window reloads the policy the operator just invalidated, and keeps it in memory.
    [Fact]
    public async Task Invalidate_LookupDuringTheQueuedRemoval_DoesNotBringThePolicyBack()
    {
        World.Publish("example.com", "1");
        var store = new SlowRemoveStore();
        using var enforcer = MtaStsEnforcer.Create(World.Options(o => o.StoreTimeout = TimeSpan.FromSeconds(5)), World.Time, store: store);
        (await enforcer.GetPolicyAsync("example.com")).Policy.Should().NotBeNull("the policy is fetched and cached first");
        (await Eventually(() => store.Policies.ContainsKey("example.com"))).Should().BeTrue("the background write landed");

        await enforcer.InvalidateAsync("example.com");
        (await Eventually(() => store.RemoveStarted.Task.IsCompleted)).Should().BeTrue();

        var fetchesBefore = World.Https.RequestCount("mta-sts.example.com");
        var state = await enforcer.GetPolicyAsync("example.com");
        store.ReleaseRemove.TrySetResult();

        World.Https.RequestCount("mta-sts.example.com").Should().Be(fetchesBefore + 1, $"fetched afresh, not brought back from the store: {state}");
    }

    private static async Task<bool> Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        return condition();
    }

    private sealed class SlowRemoveStore : IMtaStsPolicyStore
    {
        public ConcurrentDictionary<string, MtaStsStoredPolicy> Policies { get; } = new();

        public TaskCompletionSource RemoveStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseRemove { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Policies.TryGetValue(domain, out var p) ? p : null);

        public ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
        {
            Policies[policy.Domain] = policy;
            return ValueTask.CompletedTask;
        }

        public async ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default)
        {
            RemoveStarted.TrySetResult();
            await ReleaseRemove.Task.WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            Policies.TryRemove(domain, out _);
        }

        public ValueTask ClearAsync(CancellationToken cancellationToken = default)
        {
            Policies.Clear();
            return ValueTask.CompletedTask;
        }
    }
}
