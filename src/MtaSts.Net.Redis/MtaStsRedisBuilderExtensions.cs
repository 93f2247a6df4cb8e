using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.Redis;
using MtaSts.Reporting;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Keeps the TLS-RPT state of a fleet of senders in Redis: the reason this package exists. Every sender adds its
/// counters there (summed on the server), and one sender sends each policy domain's daily report, under a lease.
/// </summary>
public static class MtaStsRedisBuilderExtensions
{
    /// <summary>The default prefix of every key this package writes.</summary>
    public const string DefaultKeyPrefix = "mtasts:tlsrpt:";

    /// <summary>
    /// Keeps the TLS-RPT counters, leases and sent markers in the Redis server(s) named by
    /// <paramref name="configuration"/> (StackExchange.Redis syntax, e.g. <c>"redis:6379,password=…"</c>), connected on
    /// first use and closed with the container. Use with <c>AddTlsRpt</c>; every sender of the fleet needs the same
    /// server and <paramref name="keyPrefix"/>, and its own <see cref="TlsRptOptions.InstanceId"/>.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddMtaSts(...)</c>.</param>
    /// <param name="configuration">The StackExchange.Redis configuration string.</param>
    /// <param name="keyPrefix">The prefix of every key.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="configuration"/> or <paramref name="keyPrefix"/> is empty.</exception>
    public static IMtaStsBuilder UseRedisTlsRptState(this IMtaStsBuilder builder, string configuration, string keyPrefix = DefaultKeyPrefix)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPrefix);
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // a Redis that is down at start is retried, never fatal
        return Register(builder, sp =>
        {
            var connection = new OwnedConnection(options);
            return new RedisTlsRptStateStore(connection.DatabaseAsync, keyPrefix, Options(sp), connection);
        });
    }

    /// <summary>As <see cref="UseRedisTlsRptState(IMtaStsBuilder, string, string)"/>, over a connection the application owns.</summary>
    /// <param name="builder">The builder from <c>services.AddMtaSts(...)</c>.</param>
    /// <param name="connection">Gives the application's connection (not disposed by this package).</param>
    /// <param name="keyPrefix">The prefix of every key.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="keyPrefix"/> is empty.</exception>
    public static IMtaStsBuilder UseRedisTlsRptState(this IMtaStsBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> connection,
        string keyPrefix = DefaultKeyPrefix)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPrefix);
        return Register(builder, sp =>
        {
            var multiplexer = connection(sp);
            return new RedisTlsRptStateStore(_ => Task.FromResult(multiplexer.GetDatabase()), keyPrefix, Options(sp));
        });
    }

    private static IMtaStsBuilder Register(IMtaStsBuilder builder, Func<IServiceProvider, RedisTlsRptStateStore> factory)
    {
        builder.Services.RemoveAll<ITlsRptStateStore>();
        builder.Services.AddSingleton<ITlsRptStateStore>(factory);
        return builder;
    }

    private static TlsRptOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<TlsRptOptions>>().Value;

    // A connection made on first use (a failed attempt is retried by the next call) and closed with the store.
    private sealed class OwnedConnection(ConfigurationOptions options) : IAsyncDisposable
    {
        private readonly Lock _gate = new();
        private Task<ConnectionMultiplexer>? _connecting;

        public async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
        {
            Task<ConnectionMultiplexer> connecting;
            lock (_gate)
            {
                if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
                {
                    _connecting = ConnectionMultiplexer.ConnectAsync(options);
                }

                connecting = _connecting;
            }

            return (await connecting.WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
        }

        public async ValueTask DisposeAsync()
        {
            Task<ConnectionMultiplexer>? connecting;
            lock (_gate)
            {
                connecting = _connecting;
            }

            if (connecting is { IsCompletedSuccessfully: true })
            {
                await connecting.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
