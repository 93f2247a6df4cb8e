namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>A fresh loopback world for each test.</summary>
public abstract class ToolWorldTest : IAsyncLifetime
{
    protected ToolWorld World { get; private set; } = null!;

    public async Task InitializeAsync() => World = await ToolWorld.StartAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();
}
