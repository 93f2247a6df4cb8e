using Microsoft.Extensions.DependencyInjection;

namespace MtaSts.DependencyInjection;

/// <summary>Configures MTA-STS services registered by <see cref="MtaStsServiceCollectionExtensions.AddMtaSts(IServiceCollection, Action{MtaStsOptions}?)"/>.</summary>
public interface IMtaStsBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }
}
