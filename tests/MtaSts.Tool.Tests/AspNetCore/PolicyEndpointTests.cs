using System.Net;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using MtaSts.AspNetCore;
using MtaSts.Publishing;
using MtaSts.Testing;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.AspNetCore;

/// <summary><c>MapMtaStsPolicy</c> on Kestrel over HTTPS: what RFC 8461 §3.3 asks of a policy host, for many domains.</summary>
public sealed class PolicyEndpointTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Configuration = new()
    {
        ["MtaStsPolicies:example.com:Mode"] = "enforce",
        ["MtaStsPolicies:example.com:Mx:0"] = "mail.example.com",
        ["MtaStsPolicies:example.com:Mx:1"] = "*.mx.example.com",
        ["MtaStsPolicies:example.com:MaxAge"] = "1209600",
        ["MtaStsPolicies:Example.ORG:Mode"] = "testing",
        ["MtaStsPolicies:Example.ORG:Mx"] = "mx.example.org",
    };

    private readonly TestCertificateAuthority _ca = new("Policy Server Test Root");
    private PolicyServerHost _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await PolicyServerHost.StartAsync(_ca, Configuration);
        _client = _server.Client(_ca);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _ca.Dispose();
    }

    [Fact]
    public async Task Get_KnownDomain_TextPlainCrlfWithCacheControl()
    {
        using var response = await _client.GetAsync("https://mta-sts.example.com/.well-known/mta-sts.txt");

        response.StatusCode.Should().Be(HttpStatusCode.OK);                                  // FETCH-5
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");           // FETCH-8
        response.Content.Headers.ContentType.CharSet.Should().Be("utf-8");
        response.Headers.CacheControl!.Public.Should().BeTrue();
        response.Headers.CacheControl.MaxAge.Should().Be(TimeSpan.FromMinutes(5));
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Be("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.mx.example.com\r\nmax_age: 1209600\r\n");
        MtaStsPolicy.TryParse(body, out _, out _).Should().BeTrue("the strict grammar accepts what is served");
    }

    [Fact]
    public async Task Get_SecondTenantByHostHeader_ItsOwnPolicyWithSingleMxAndDefaultMaxAge()
    {
        var body = await _client.GetStringAsync("https://mta-sts.example.org/.well-known/mta-sts.txt");
        body.Should().Be("version: STSv1\r\nmode: testing\r\nmx: mx.example.org\r\nmax_age: 604800\r\n");
    }

    [Theory]
    [InlineData("https://mta-sts.example.net/.well-known/mta-sts.txt")] // no policy for the domain
    [InlineData("https://www.example.com/.well-known/mta-sts.txt")]     // not an mta-sts. host
    [InlineData("https://mta-sts.example.com/.well-known/other.txt")]   // another path
    public async Task Get_UnknownHostOrPath_404(string url)
    {
        using var response = await _client.GetAsync(url);
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Head_KnownDomain_HeadersWithoutBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "https://mta-sts.example.com/.well-known/mta-sts.txt");
        using var response = await _client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        response.Content.Headers.ContentLength.Should().Be(93);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/html")]
    public async Task Get_AnyAccept_StillTextPlain(string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://mta-sts.example.com/.well-known/mta-sts.txt");
        request.Headers.Accept.ParseAdd(accept);
        using var response = await _client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
    }

    [Fact]
    public async Task Post_NotAllowed()
    {
        using var response = await _client.PostAsync("https://mta-sts.example.com/.well-known/mta-sts.txt", new StringContent("x"));
        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Provider_IdMatchesGenerate()
    {
        var provider = _server.Services.GetRequiredService<IMtaStsPolicyProvider>();
        var document = await provider.GetPolicyAsync("example.com");
        MtaStsPolicyDocument.TryCreate(MtaStsMode.Enforce, ["mail.example.com", "*.mx.example.com"], 1209600, out var generated, out _).Should().BeTrue();
        document!.Id.Should().Be(generated!.Id);
        document.TxtRecord.Should().Be($"v=STSv1; id={generated.Id}");
    }

    [Theory]
    [InlineData("Mode", "strict", "Mode must be")]           // POL-3
    [InlineData("Mx:0", "mail_1.example.com", "POL-13")]
    [InlineData("MaxAge", "31557601", "POL-11")]
    [InlineData("MaxAge", "a week", "not a number")]
    public async Task Start_InvalidConfiguredPolicy_FailsNamingTheDomain(string key, string value, string reason)
    {
        var configuration = new Dictionary<string, string?>(Configuration) { [$"MtaStsPolicies:example.com:{key}"] = value };
        var start = async () => await (await PolicyServerHost.StartAsync(_ca, configuration)).DisposeAsync();
        (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("example.com").And.Contain(reason);
    }
}
