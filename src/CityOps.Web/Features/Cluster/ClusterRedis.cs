using StackExchange.Redis;

namespace CityOps.Web.Features.Cluster;

/// <summary>
/// The Redis server scaled-out nodes share (connection string <c>Redis</c> or <c>Redis:Configuration</c>); none
/// configured means a single node. One place reads it, so the hub's backplane and the live relay always agree.
/// </summary>
public static class ClusterRedis
{
    public static ConfigurationOptions? Configuration(IConfiguration configuration)
    {
        var redis = configuration.GetConnectionString("Redis") ?? configuration["Redis:Configuration"];
        if (string.IsNullOrWhiteSpace(redis))
        {
            return null;
        }
        var options = ConfigurationOptions.Parse(redis);
        // A node starts, ingests and serves its screens while Redis is down; it connects when Redis is back.
        options.AbortOnConnectFail = false;
        return options;
    }
}
