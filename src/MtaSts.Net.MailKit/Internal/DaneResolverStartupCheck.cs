using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// At host start, with <see cref="MtaStsDirectSenderOptions.UseDane"/> on: the sender's one-time resolver check (a
/// validating resolver on this machine) starts in the background, so a resolver that sets no AD bit is reported
/// before the first delivery without holding up the start (a silent resolver costs the DNS timeout per server and
/// retry). Stopping the host cancels it; a cancelled check runs again before the first delivery.
/// </summary>
internal sealed class DaneResolverStartupCheck(IServiceProvider services, IOptions<MtaStsDirectSenderOptions> options) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _check = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.UseDane)
        {
            var sender = services.GetRequiredService<MtaStsDirectSender>();
            _check = Task.Run(() => sender.CheckDaneResolverAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _check.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped before the resolver answered: nothing to report.
        }
    }

    public void Dispose() => _stopping.Dispose();
}
