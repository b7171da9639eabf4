using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Tests.Live;

public class TelemetryRegistrationTests
{
    private static WebApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddTelemetry();
        return builder;
    }

    private static WebApplication Build(Dictionary<string, string?> settings) => Builder(settings).Build();

    [Theory]
    [InlineData("ConnectionStrings:Redis")]
    [InlineData("Redis:Configuration")]
    public void AddTelemetry_RedisConfigured_TelemetryHubUsesTheRedisBackplane(string setting)
    {
        var builder = Builder(new() { [setting] = "redis.example:6379,abortConnect=false" });

        Assert.Contains(builder.Services, d =>
            d.ServiceType == typeof(HubLifetimeManager<TelemetryHub>) && d.ImplementationType == typeof(RedisHubLifetimeManager<TelemetryHub>));
        using var app = builder.Build();
        Assert.EndsWith("redis.example:6379", app.Services.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration.EndPoints.Single().ToString());
    }

    [Fact]
    public void AddTelemetry_NoRedis_SingleInstance()
    {
        using var app = Build([]);

        Assert.IsNotType<RedisHubLifetimeManager<TelemetryHub>>(app.Services.GetRequiredService<HubLifetimeManager<TelemetryHub>>());
    }

    [Fact]
    public void AddTelemetry_FlushIntervalAboveTheHubsPromise_FailsValidation()
    {
        using var app = Build(new() { ["Telemetry:FlushInterval"] = "00:00:00.500" });

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value);

        Assert.Contains("FlushInterval", error.Message);
    }
}
