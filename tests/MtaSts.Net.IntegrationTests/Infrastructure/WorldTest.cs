namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>A fresh loopback world for each test.</summary>
public abstract class WorldTest : IAsyncLifetime
{
    protected TestWorld World { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        World = await TestWorld.StartAsync();
        OnStarted();
    }

    public virtual async Task DisposeAsync() => await World.DisposeAsync();

    /// <summary>Extra set-up once the world runs.</summary>
    protected virtual void OnStarted()
    {
    }
}
