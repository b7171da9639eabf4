using CityOps.Analytics.Alerts;
using static CityOps.Tests.Analytics.Alerts.AlertTestKit;

namespace CityOps.Tests.Analytics.Alerts;

public class ForecastDetectorTests
{
    private static readonly ForecastParameters HighAt90 = new() { High = 90, Horizon = TimeSpan.FromMinutes(30) };

    /// <summary>70 °C for 40 minutes, then rising 0.5 °C/min (crossing 90 °C at minute 80), with small noise.</summary>
    private static double Ramp(double seconds)
    {
        var minutes = seconds / 60;
        var noise = 0.3 * Math.Sin(seconds * 1.7) * Math.Cos(seconds * 0.31);
        return 70 + Math.Max(0, minutes - 40) * 0.5 + noise;
    }

    [Fact]
    public void Update_SteadyRise_WarnsBeforeTheCrossingWithSensiblePredictedAt()
    {
        var detector = new ForecastDetector(HighAt90, Sensor());
        var crossing = At(80 * 60);

        var results = Series(0, 80 * 60, 10, Ramp).Select(p => (p.Seconds, Detection: detector.Update(At(p.Seconds), p.Value))).ToList();

        var first = results.First(r => r.Detection.Active);
        var raisedAt = At(first.Seconds);
        Assert.True(raisedAt < crossing - TimeSpan.FromMinutes(10), $"raised at {raisedAt:HH:mm}");
        Assert.True(raisedAt > At(40 * 60), $"raised at {raisedAt:HH:mm}, before the rise began");
        var predicted = first.Detection.PredictedAt!.Value;
        Assert.InRange(predicted, crossing - TimeSpan.FromMinutes(4), crossing + TimeSpan.FromMinutes(10));
        Assert.Matches(@"^will cross the high limit 90 °C in about \d+ min$", first.Detection.Detail);
        Assert.True(first.Detection.Expected > 90);
        Assert.True(first.Detection.BandLow < first.Detection.Expected && first.Detection.Expected < first.Detection.BandHigh);
        Assert.True(results[^1].Detection.Active);
    }

    [Fact]
    public void Update_RiseStopsAndFalls_Clears()
    {
        var detector = new ForecastDetector(HighAt90, Sensor());
        Feed(detector, Series(0, 70 * 60, 10, Ramp));
        Assert.True(detector.Evaluate(At(70 * 60)).Active);

        var falling = Feed(detector, Series(70 * 60, 110 * 60, 10, s => 85 - (s / 60 - 70) * 0.5));

        Assert.False(falling[^1].Active);
        Assert.Null(falling[^1].PredictedAt);
    }

    [Fact]
    public void Update_FlatNoiseBelowTheLimit_NeverWarns()
    {
        var detector = new ForecastDetector(HighAt90, Sensor(intervalSeconds: 1));
        var random = new Random(7);

        var results = Feed(detector, Series(0, 24 * 3600, 1, _ => 84 + 2 * Gaussian(random)));

        Assert.DoesNotContain(results, d => d.Active);
    }

    [Fact]
    public void Update_RandomWalkNoiseWithSlowWander_NoWarningWithoutConfidentCrossing()
    {
        var detector = new ForecastDetector(HighAt90 with { Low = 50 }, Sensor());
        var random = new Random(11);

        var results = Feed(detector, Series(0, 12 * 3600, 10, s => 70 + 5 * Math.Sin(s / 3600) + 3 * Gaussian(random)));

        Assert.DoesNotContain(results, d => d.Active);
    }

    [Fact]
    public void Update_BeforeWarmUp_NeverActive()
    {
        var detector = new ForecastDetector(HighAt90 with { WarmupMinutes = 60 }, Sensor());

        var results = Feed(detector, Series(0, 59 * 60, 10, s => 60 + s / 60));

        Assert.DoesNotContain(results, d => d.Active);
        Assert.False(detector.IsWarm);
    }

    [Fact]
    public void Update_FallingTowardsLowLimit_WarnsWithLowDetail()
    {
        var detector = new ForecastDetector(new ForecastParameters { Low = 2, Horizon = TimeSpan.FromMinutes(20) }, Sensor("zone.pressure", unit: "bar"));

        var results = Feed(detector, Series(0, 70 * 60, 10, s => s < 2400 ? 4 : 4 - (s - 2400) / 60 * 0.1));

        var warning = results.First(d => d.Active);
        Assert.Matches(@"^will cross the low limit 2 bar in about \d+ min$", warning.Detail);
    }

    [Fact]
    public void Forecast_AfterRise_PathWithWideningIntervalAtMinuteMiddles()
    {
        var detector = new ForecastDetector(HighAt90, Sensor());
        Feed(detector, Series(0, 60 * 60, 10, Ramp));

        var path = detector.Forecast(15);

        Assert.Equal(15, path.Count);
        // Minute 59 is still open (no reading of minute 60 has closed it), so the path starts there.
        Assert.Equal(At(59 * 60 + 30), path[0].At);
        Assert.Equal(At(73 * 60 + 30), path[^1].At);
        Assert.True(path[^1].Value > path[0].Value + 3);
        Assert.True(path[^1].High - path[^1].Low > path[0].High - path[0].Low);
        Assert.InRange(path[0].Value, 79, 81);
    }

    [Fact]
    public void Forecast_WithDailySeason_AnticipatesTheMorningStep()
    {
        var seasonal = new ForecastDetector(HighAt90 with { Alpha = 0.2, Season = TimeSpan.FromDays(1), Gamma = 0.5 }, Sensor(intervalSeconds: 60));
        var plain = new ForecastDetector(HighAt90 with { Alpha = 0.2 }, Sensor(intervalSeconds: 60));
        // 40 °C at night, 60 °C from 08:00 to 20:00, for ten days; stop at 07:50 on the eleventh.
        var series = Series(0, 10 * 86400 + 7 * 3600 + 51 * 60, 60, s => s % 86400 is >= 8 * 3600 and < 20 * 3600 ? 60 : 40).ToList();
        Feed(seasonal, series);
        Feed(plain, series);

        var seasonalAt0809 = seasonal.Forecast(20)[^1];
        var plainAt0809 = plain.Forecast(20)[^1];

        Assert.Equal(At(10 * 86400 + 8 * 3600 + 9 * 60 + 30), seasonalAt0809.At);
        Assert.InRange(plainAt0809.Value, 39, 41);
        Assert.True(seasonalAt0809.Value > 50, $"seasonal forecast {seasonalAt0809.Value}");
    }

    [Fact]
    public void LoadState_AfterSave_ContinuesIdentically()
    {
        var parameters = HighAt90 with { Season = TimeSpan.FromHours(2) };
        var original = new ForecastDetector(parameters, Sensor());
        Feed(original, Series(0, 50 * 60 + 5, 10, Ramp));

        var restored = new ForecastDetector(parameters, Sensor());
        restored.LoadState(original.SaveState());

        var rest = Series(50 * 60 + 5, 120 * 60, 10, Ramp).ToList();
        var expected = Feed(original, rest);
        var actual = Feed(restored, rest);
        Assert.Equal(expected, actual);
        Assert.Contains(expected, d => d.Active);
        Assert.Equal(original.Forecast(10), restored.Forecast(10));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
