using MtaSts.AspNetCore;

// An MTA-STS policy host: serves https://mta-sts.<domain>/.well-known/mta-sts.txt for every domain in "MtaStsPolicies".
// Kestrel's certificate comes from configuration ("Kestrel:Certificates:Default": a PEM or PFX valid for each
// mta-sts.<domain> name). Publish each domain's TXT record as logged at start-up, or with `mta-sts generate`.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder reads Kestrel's certificate settings only when asked
builder.Services.AddMtaStsPolicyServer(builder.Configuration);
var app = builder.Build();
app.MapMtaStsPolicy();

var provider = app.Services.GetRequiredService<IMtaStsPolicyProvider>();
foreach (var domain in builder.Configuration.GetSection(MtaStsPolicyServerDefaults.SectionName).GetChildren().Select(c => c.Key))
{
    var document = await provider.GetPolicyAsync(domain.ToLowerInvariant());
    Console.WriteLine($"publish: _mta-sts.{domain} TXT \"{document?.TxtRecord}\"");
}

app.Run();
