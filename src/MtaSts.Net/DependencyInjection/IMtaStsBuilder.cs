using Microsoft.Extensions.DependencyInjection;

using MtaSts;
using MtaSts.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures MTA-STS services registered by <see cref="MtaStsServiceCollectionExtensions.AddMtaSts(IServiceCollection, Action{MtaStsOptions}?)"/>.</summary>
public interface IMtaStsBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }
}
