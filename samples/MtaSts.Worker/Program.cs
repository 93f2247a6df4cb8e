using MtaSts.DependencyInjection;
using MtaSts.Worker;

// A sending service's MTA-STS wiring: options from appsettings.json ("MtaSts"), policies kept on disk so that a restart
// keeps enforcing, the refresher fetching policies before they expire, and a queue asking "may I deliver?".
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddMtaSts(builder.Configuration)
    .UseFileStore(Path.Combine(builder.Environment.ContentRootPath, "mtasts-policies"))
    .AddPolicyRefresher(o => o.CheckInterval = TimeSpan.FromMinutes(30));
builder.Services.AddSingleton<OutboundMessages>();
builder.Services.AddHostedService<DeliveryWorker>();

await builder.Build().RunAsync();
