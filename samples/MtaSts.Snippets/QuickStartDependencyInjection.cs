#region di-usings
using Microsoft.Extensions.DependencyInjection;           // AddMtaSts, AddMailKit, AddMtaStsHealthChecks
using Microsoft.Extensions.Hosting;                       // package Microsoft.Extensions.Hosting
using MtaSts;
#endregion

namespace MtaSts.Snippets;

/// <summary>README: Quick start (DI), TLS reporting, health checks.</summary>
public static class QuickStartDependencyInjection
{
    public static async Task RunAsync(string[] args)
    {
        #region di
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddMtaSts(builder.Configuration)          // options from the "MtaSts" section, validated at start
            .UseFileStore("/var/lib/mysender/mta-sts")              // or .UseDistributedCacheStore() for Redis; memory by default
            .AddPolicyRefresher()                                   // refetch policies before they expire
            .AddMailKit();                                          // MtaStsDirectSender
        builder.Services.AddHealthChecks().AddMtaStsHealthChecks(); // package MtaSts.Net.HealthChecks
        using var host = builder.Build();
        await host.StartAsync();

        // later, per message:
        var enforcer = host.Services.GetRequiredService<IMtaStsEnforcer>();
        var state = await enforcer.GetPolicyAsync("example.com");
        if (!state.EvaluateMx("mx1.example.com").MayDeliver) { /* skip this MX; temporary failure */ }
        #endregion
        await host.StopAsync();
    }

    public static void TlsRpt(HostApplicationBuilder builder)
    {
        #region tlsrpt
        builder.Services.AddMtaSts(builder.Configuration)
            .AddMailKit()                                            // the sender records every session's outcome
            .AddTlsRpt(o =>
            {
                o.OrganizationName = "Example Mail";
                o.ContactInfo = "tlsrpt@example.net";                // its domain is the TLS-Report-Submitter
            });                                                      // counters live in the policy store: they survive restarts
        #endregion
    }
}
