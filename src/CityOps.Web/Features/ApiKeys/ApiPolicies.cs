namespace CityOps.Web.Features.ApiKeys;

/// <summary>Authorization policy names of the HTTP API.</summary>
public static class ApiPolicies
{
    /// <summary>An API key with the ingest scope.</summary>
    public const string Ingest = "api.ingest";

    /// <summary>A signed-in user in any role, or an API key with the read scope.</summary>
    public const string Read = "api.read";
}

/// <summary>The claims an API key's principal carries.</summary>
public static class ApiKeyClaims
{
    public const string Scope = "scope";
    public const string IngestScope = "ingest";
    public const string ReadScope = "read";
}
