namespace MtaSts.Tool.Generate;

/// <summary>The <c>--json</c> shape of generate: the policy body, its id, the TXT record, and with <c>--domain</c> where each goes.</summary>
internal sealed record GenerateJson(string Policy, string Id, string Txt, string? TxtName, string? PolicyUrl);
