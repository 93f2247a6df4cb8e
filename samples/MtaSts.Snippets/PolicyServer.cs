#region policy-server-usings
using Microsoft.AspNetCore.Builder;                    // MapMtaStsPolicy
using Microsoft.Extensions.DependencyInjection;        // AddMtaStsPolicyServer
#endregion

namespace MtaSts.Snippets;

/// <summary>README: Serving a policy.</summary>
public static class PolicyServer
{
    public static void Run(string[] args)
    {
        #region policy-server
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddMtaStsPolicyServer(builder.Configuration);   // "MtaStsPolicies": { "example.com": { "Mode": "enforce", "Mx": [ "mail.example.com" ], "MaxAge": 604800 } }
        var app = builder.Build();
        app.MapMtaStsPolicy();                                            // GET/HEAD /.well-known/mta-sts.txt for every mta-sts.<domain>
        app.Run();
        #endregion
    }
}
