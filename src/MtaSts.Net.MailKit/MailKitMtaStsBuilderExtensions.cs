using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.MailKit.Delivery;
using MtaSts.Reporting;

using MtaSts;
using MtaSts.MailKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the MailKit integration on an <see cref="IMtaStsBuilder"/>.</summary>
public static class MailKitMtaStsBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="MtaStsDirectSender"/>, also as <see cref="IMtaStsDirectSender"/> (direct-to-MX delivery under MTA-STS, recording sessions for TLS-RPT
    /// when <c>AddTlsRpt</c> is used) and the <c>mailto:</c> report transport.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddMtaSts(...)</c>.</param>
    /// <param name="configure">Configures the sender, after the <c>MtaSts:Delivery</c> section of <c>AddMtaSts(configuration)</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IMtaStsBuilder AddMailKit(this IMtaStsBuilder builder, Action<MtaStsDirectSenderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptionsWithSection<MtaStsDirectSenderOptions, MtaStsDirectSenderConfigurationBinder, MtaStsDirectSenderOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(sp => new MtaStsDirectSender(
            sp.GetRequiredService<IMtaStsEnforcer>(),
            sp.GetRequiredService<IOptions<MtaStsDirectSenderOptions>>().Value,
            sp.GetService<ILogger<MtaStsDirectSender>>(),
            sp.GetService<TlsRptRecorder>()));
        builder.Services.TryAddSingleton<IMtaStsDirectSender>(sp => sp.GetRequiredService<MtaStsDirectSender>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, MtaSts.MailKit.Internal.DaneResolverStartupCheck>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITlsRptTransport, TlsRptMailTransport>(
            sp => new TlsRptMailTransport(sp.GetRequiredService<SharedDns>().Client.Value, sp.GetRequiredService<IOptions<MtaStsDirectSenderOptions>>().Value,
                sp.GetService<IOptions<TlsRptOptions>>()?.Value))); // the DKIM key of AddTlsRpt, when set
        return builder;
    }
}
