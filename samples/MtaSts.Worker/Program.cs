using MtaSts;
using MtaSts.Worker;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// A sending service's MTA-STS wiring: options from appsettings.json ("MtaSts" and its "Refresh" sub-section), policies
// kept on disk so that a restart keeps enforcing, the refresher fetching policies before they expire, a queue asking
// "may I deliver?", a periodic health log (AddMtaStsHealthChecks) and the library's metrics and spans on the OpenTelemetry console exporter.
// "--offline-demo <seconds>" runs it against a loopback DNS and HTTPS world instead of the internet, then checks the
// outcome: exit 0 when every queued message got the expected answer and the health check was healthy.
var offline = OfflineWorld.Seconds(args);
await using var world = offline is null ? null : await OfflineWorld.StartAsync();

var builder = Host.CreateApplicationBuilder(args);
var store = Path.Combine(world?.Directory ?? builder.Environment.ContentRootPath, "mtasts-policies");
builder.Services.AddMtaSts(builder.Configuration)
    .UseFileStore(store)
    .AddPolicyRefresher();                                  // reads "MtaSts": { "Refresh": { ... } }
builder.Services.AddHealthChecks().AddMtaStsHealthChecks();
builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter(MtaStsInstrumentation.MeterName).AddConsoleExporter())
    .WithTracing(tracing => tracing.AddSource(MtaStsInstrumentation.ActivitySourceName).AddConsoleExporter());
builder.Services.AddSingleton<OutboundMessages>();
builder.Services.AddSingleton<DeliveryTally>();
builder.Services.AddHostedService<DeliveryWorker>();
builder.Services.AddSingleton<HealthLog>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthLog>());
world?.Configure(builder);

using var host = builder.Build();
using var stop = offline is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds)) : new CancellationTokenSource();
var tally = host.Services.GetRequiredService<DeliveryTally>();
var healthLog = host.Services.GetRequiredService<HealthLog>();
await host.RunAsync(stop.Token);
return world is null ? 0 : OfflineWorld.Verify(tally, healthLog);
