using System.Text.Json;
using System.Text.Json.Serialization;

namespace CityOps.Web.Features.Ingest;

/// <summary>The answer of <c>POST /api/v1/readings</c>, also stored for idempotent replays.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngestOutcome))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;
