using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Tests.Live;

public class LiveRegistrationTests
{
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<ISensorLookup>(new Fakes.FakeSensorLookup());
        builder.Services.AddSingleton<IAssetTree>(new FakeAssetTree());
        builder.AddLive();
        return builder.Build();
    }

    [Fact]
    public void AddLive_ConfiguredLimits_StoreIsTheReadingsObserverAndUsesThem()
    {
        using var app = Build(new() { ["Live:MaxSensors"] = "1234", ["Live:NotifyInterval"] = "00:00:01" });

        Assert.Equal(1234, app.Services.GetRequiredService<IOptions<LiveOptions>>().Value.MaxSensors);
        Assert.Equal(TimeSpan.FromSeconds(1), app.Services.GetRequiredService<IOptions<LiveOptions>>().Value.NotifyInterval);
        Assert.Same(app.Services.GetRequiredService<LiveStore>(), Assert.Single(app.Services.GetServices<IReadingsObserver>()));
    }

    [Theory]
    [InlineData("Live:MaxSensors", "0")]
    [InlineData("Live:RateWindowSeconds", "0")]
    [InlineData("Live:ReportingIntervals", "0.5")]
    [InlineData("Live:NotifyInterval", "00:00:00")]
    [InlineData("Live:OfflineIntervals", "2")]
    [InlineData("Live:FlatlineReadings", "1")]
    [InlineData("Live:NearLimitFraction", "0.6")]
    [InlineData("Live:HistoryPoints", "1")]
    [InlineData("Live:HistoryResolution", "00:00:00.5")]
    public void AddLive_LimitOutOfRange_FailsValidation(string key, string value)
    {
        using var app = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LiveOptions>>().Value);

        Assert.Contains(key.Split(':')[1], error.Message);
    }
}
