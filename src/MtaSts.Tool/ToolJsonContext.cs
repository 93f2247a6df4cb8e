using System.Text.Json.Serialization;
using MtaSts.Tool.Audit;
using MtaSts.Tool.Generate;

namespace MtaSts.Tool;

/// <summary>System.Text.Json source generation for every JSON document the tool prints: no reflection, trim- and AOT-safe.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AuditJson))]
[JsonSerializable(typeof(GenerateJson))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;
