namespace CityOps.Web.Features.Ingest;

public static class IngestExtensions
{
    public static void AddIngest(this WebApplicationBuilder builder)
    {
    }

    public static void MapIngestApi(this WebApplication app)
    {
    }
}
