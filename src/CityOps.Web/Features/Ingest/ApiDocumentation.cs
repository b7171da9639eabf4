namespace CityOps.Web.Features.Ingest;

/// <summary>
/// The OpenAPI description of the HTTP API at <c>/openapi/v1.json</c> and a browsable reference at
/// <c>/api/docs</c> (Swagger UI, served from the embedded package, no CDN).
/// </summary>
internal static class ApiDocumentation
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string UiPath = "api/docs";

    public static void AddApiDocumentation(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "CityOps API";
            document.Info.Description =
                "Readings ingest for gateways and read access to the sensor registry and time series. " +
                "Authenticate with an API key in the X-Api-Key header (or Authorization: Bearer); the read " +
                "endpoints also accept a signed-in user's session.";
            return Task.CompletedTask;
        }));
    }

    public static void MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = UiPath;
            o.DocumentTitle = "CityOps API";
            o.SwaggerEndpoint(DocumentPath, "CityOps API v1");
        });
    }
}
