using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// At host start, with <see cref="MtaStsDirectSenderOptions.UseDane"/> on: the sender's one-time resolver check (a
/// validating resolver on this machine), so a resolver that sets no AD bit is reported before the first delivery.
/// One DNS question, bounded by the enforcer's DNS timeout; never fails the start.
/// </summary>
internal sealed class DaneResolverStartupCheck(IServiceProvider services, IOptions<MtaStsDirectSenderOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.UseDane ? services.GetRequiredService<MtaStsDirectSender>().CheckDaneResolverAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
