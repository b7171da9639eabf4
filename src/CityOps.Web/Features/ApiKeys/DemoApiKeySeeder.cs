using CityOps.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.ApiKeys;

/// <summary>
/// In demo mode, the documented gateway key (ingest + read): <c>CITYOPS_DEMO_API_KEY</c> when set,
/// otherwise <see cref="DefaultSecret"/>. Runs on every start and adds the key only when it is missing.
/// </summary>
internal sealed class DemoApiKeySeeder(IConfiguration configuration) : IDatabaseSeeder
{
    public const string DefaultSecret = "cityops-demo-key";
    public const string SecretVariable = "CITYOPS_DEMO_API_KEY";
    public const string Label = "Demo gateway";

    public int Order => 10;

    public async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var secret = configuration[SecretVariable] is { Length: > 0 } configured ? configured : DefaultSecret;
        var hash = ApiKeyService.Hash(secret);
        var prefix = ApiKeyService.PrefixOf(secret);
        var db = await services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(cancellationToken);
        await using (db)
        {
            var existing = await db.ApiKeys.AsNoTracking().Where(k => k.Prefix == prefix).Select(k => k.SecretHash).ToListAsync(cancellationToken);
            if (existing.Any(h => h.AsSpan().SequenceEqual(hash)))
            {
                return;
            }
        }
        await services.GetRequiredService<ApiKeyService>().StoreAsync(Label, secret, ApiKeyScopes.Ingest | ApiKeyScopes.Read, null, cancellationToken);
    }
}
