using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using MtaSts.Testing;
using StackExchange.Redis;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>An <see cref="RedisCache"/> (one connection: one "node") on a loopback redis-server.</summary>
internal static class TestRedis
{
    /// <summary>
    /// The client's command timeouts keep their 5 s defaults (what an application gets); only connecting is made
    /// short and retried often, so that a reconnect after a restart does not wait for the default back-off.
    /// </summary>
    public static RedisCache Cache(LoopbackRedisServer redis)
    {
        var options = new RedisCacheOptions();
        Configure(options, redis);
        return new RedisCache(Options.Create(options));
    }

    public static void Configure(RedisCacheOptions options, LoopbackRedisServer redis)
    {
        options.ConfigurationOptions = Configure(new ConfigurationOptions());
        options.ConfigurationOptions.EndPoints.Add(redis.Configuration);
    }

    private static ConfigurationOptions Configure(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 1000;
        options.ConnectRetry = 1;
        options.ReconnectRetryPolicy = new LinearRetry(250);
        options.AsyncTimeout = 5000;
        options.SyncTimeout = 5000;
        return options;
    }
}
