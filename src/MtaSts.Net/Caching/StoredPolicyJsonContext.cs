using System.Text.Json.Serialization;

namespace MtaSts.Caching;

/// <summary>Source-generated JSON for stored policies (AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MtaStsStoredPolicy))]
internal sealed partial class StoredPolicyJsonContext : JsonSerializerContext;
