using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Analytics.Alerts.Spc;

namespace CityOps.Tests.Analytics.Alerts;

public sealed class SpcDetectorTests
{
    private static readonly DateTime T0 = new(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);

    private static readonly SensorContext MotorTemperature =
        new("plant.line1.motor.temp", MetricKind.Temperature, "°C", -40, 200, TimeSpan.FromSeconds(5), TimeZoneInfo.Utc);

    /// <summary>A chart around 60 °C with σ = 1 °C, one point per reading, and nothing switched on.</summary>
    private static SpcParameters Known() => new()
    {
        Centre = 60,
        Sigma = 1,
        Subgroup = TimeSpan.Zero,
        Rule1 = false,
        Rule2 = false,
        Rule3 = false,
        Rule4 = false,
        Ewma = false,
        Cusum = false,
    };

    private static List<Detection> Run(SpcDetector detector, IEnumerable<double> values, int startSecond = 0) =>
        values.Select((v, i) => detector.Update(T0.AddSeconds(5 * (startSecond + i)), v)).ToList();

    private static IEnumerable<double> Gaussian(int seed, int count, double mean, double sd)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var u1 = 1 - random.NextDouble();
            var u2 = random.NextDouble();
            yield return mean + sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }

    [Fact]
    public void Update_OnePointBeyondThreeSigma_FiresRule1()
    {
        var detector = new SpcDetector(Known() with { Rule1 = true }, MotorTemperature);

        var detections = Run(detector, [60.4, 62.9, 59.2, 63.4]);

        Assert.All(detections[..3], d => Assert.False(d.Active));
        var fired = detections[3];
        Assert.True(fired.Active);
        Assert.Equal(1, fired.Score);
        Assert.StartsWith("Western Electric rule 1:", fired.Detail);
        Assert.Contains("above the centre 60 °C", fired.Detail);
        Assert.Equal(60, fired.Expected);
        Assert.Equal(57, fired.BandLow);
        Assert.Equal(63, fired.BandHigh);
    }

    [Fact]
    public void Update_TwoOfThreeBeyondTwoSigmaSameSide_FiresRule2()
    {
        var detector = new SpcDetector(Known() with { Rule2 = true }, MotorTemperature);

        // 2 of 3 beyond 2σ but on opposite sides does not count; then two above within three points does.
        var detections = Run(detector, [60, 62.5, 57.5, 60.5, 62.3, 60.1, 62.6]);

        Assert.All(detections[..6], d => Assert.False(d.Active));
        Assert.True(detections[6].Active);
        Assert.Equal("Western Electric rule 2: 2 of 3 beyond 2σ above the centre 60 °C", detections[6].Detail);
    }

    [Fact]
    public void Update_FourOfFiveBeyondOneSigmaSameSide_FiresRule3()
    {
        var detector = new SpcDetector(Known() with { Rule3 = true }, MotorTemperature);

        var detections = Run(detector, [58.6, 58.5, 60.2, 58.7, 58.4]);

        Assert.All(detections[..4], d => Assert.False(d.Active));
        Assert.True(detections[4].Active);
        Assert.Equal("Western Electric rule 3: 4 of 5 beyond 1σ below the centre 60 °C", detections[4].Detail);
    }

    [Fact]
    public void Update_EightInARowOnOneSide_FiresRule4()
    {
        var detector = new SpcDetector(Known() with { Rule4 = true }, MotorTemperature);

        var detections = Run(detector, [59.8, 60.3, 60.1, 60.6, 60.2, 60.4, 60.2, 60.5, 60.3]);

        Assert.All(detections[..8], d => Assert.False(d.Active));
        Assert.True(detections[8].Active);
        Assert.Equal("Western Electric rule 4: 8 in a row above the centre 60 °C", detections[8].Detail);
    }

    [Theory]
    [InlineData(nameof(SpcParameters.Rule1), 0.01)]
    [InlineData(nameof(SpcParameters.Rule2), 0.01)]
    [InlineData(nameof(SpcParameters.Rule3), 0.02)]
    [InlineData(nameof(SpcParameters.Rule4), 0.02)]
    [InlineData(nameof(SpcParameters.Ewma), 0.01)]
    [InlineData(nameof(SpcParameters.Cusum), 0.01)]
    public void Update_InControlNoise_RarelyFires(string rule, double maxShareActive)
    {
        // Theoretical in-control false-alarm rates per point: rule 1 0.27 %, rule 2 ≈ 0.3 %, rule 3 ≈ 0.6 %,
        // rule 4 0.8 %, EWMA (λ 0.2, L 3) and CUSUM (k 0.5, h 5) ≈ 0.2 %; alarms last a few points.
        var parameters = rule switch
        {
            nameof(SpcParameters.Rule1) => Known() with { Rule1 = true },
            nameof(SpcParameters.Rule2) => Known() with { Rule2 = true },
            nameof(SpcParameters.Rule3) => Known() with { Rule3 = true },
            nameof(SpcParameters.Rule4) => Known() with { Rule4 = true },
            nameof(SpcParameters.Ewma) => Known() with { Ewma = true },
            _ => Known() with { Cusum = true },
        };
        var detector = new SpcDetector(parameters, MotorTemperature);

        var detections = Run(detector, Gaussian(seed: 7, count: 20_000, mean: 60, sd: 1));

        var share = detections.Count(d => d.Active) / (double)detections.Count;
        Assert.InRange(share, 0, maxShareActive);
    }

    [Fact]
    public void Update_SmallSustainedShift_EwmaFiresWhereRule1DoesNot()
    {
        // 1.5σ above the centre with a ±0.5σ wiggle: no point is anywhere near 3σ.
        var shifted = Enumerable.Range(0, 30).Select(i => 61.5 + (i % 2 == 0 ? 0.5 : -0.5)).ToArray();
        var rule1 = new SpcDetector(Known() with { Rule1 = true }, MotorTemperature);
        var ewma = new SpcDetector(Known() with { Ewma = true }, MotorTemperature);

        var byRule1 = Run(rule1, shifted);
        var byEwma = Run(ewma, shifted);

        Assert.DoesNotContain(byRule1, d => d.Active);
        Assert.True(byEwma[^1].Active);
        Assert.Contains(byEwma[..10], d => d.Active);
        Assert.StartsWith("EWMA ", byEwma[^1].Detail);
        Assert.Contains("upper limit", byEwma[^1].Detail);
    }

    [Fact]
    public void Update_SmallSustainedShift_CusumFiresWhereRule1DoesNot()
    {
        var shifted = Enumerable.Range(0, 30).Select(i => 58.5 + (i % 2 == 0 ? 0.5 : -0.5)).ToArray();
        var rule1 = new SpcDetector(Known() with { Rule1 = true }, MotorTemperature);
        var cusum = new SpcDetector(Known() with { Cusum = true }, MotorTemperature);

        var byRule1 = Run(rule1, shifted);
        var byCusum = Run(cusum, shifted);

        Assert.DoesNotContain(byRule1, d => d.Active);
        // The lower sum grows by about 1σ per point and passes h = 5σ after six points.
        Assert.False(byCusum[3].Active);
        Assert.True(byCusum[7].Active);
        Assert.True(byCusum[^1].Active);
        Assert.StartsWith("CUSUM ", byCusum[^1].Detail);
        Assert.Contains("below the centre 60 °C", byCusum[^1].Detail);
    }

    [Fact]
    public void Update_PhaseOneWithAFewOutliers_LearnsRobustLimits()
    {
        var learning = Gaussian(seed: 3, count: 60, mean: 60, sd: 1).ToArray();
        learning[10] = 95;
        learning[30] = 20;
        learning[50] = 90;
        var detector = new SpcDetector(new SpcParameters { PhaseOneCount = 60, Subgroup = TimeSpan.Zero }, MotorTemperature);

        var detections = Run(detector, learning);

        Assert.All(detections, d => Assert.False(d.Active));
        Assert.InRange(detector.Centre!.Value, 59.5, 60.5);
        Assert.InRange(detector.Sigma!.Value, 0.7, 1.3);
        Assert.Equal(detector.Centre + 3 * detector.Sigma, detections[^1].BandHigh);

        var next = detector.Update(T0.AddSeconds(5 * 60), 66);
        Assert.True(next.Active);
        Assert.StartsWith("Western Electric rule 1:", next.Detail);
    }

    [Fact]
    public void Update_Subgroups_ChartOneMinuteMeansSoOneSpikeDoesNotFire()
    {
        var parameters = Known() with { Rule1 = true, Subgroup = TimeSpan.FromMinutes(1) };
        var averaged = new SpcDetector(parameters, MotorTemperature);
        var raw = new SpcDetector(parameters with { Subgroup = TimeSpan.Zero }, MotorTemperature);
        // Readings every 5 s; one 3.5σ spike in the first minute, then a whole minute 4σ high.
        var values = Enumerable.Repeat(60.0, 12).ToList();
        values[5] = 63.5;
        values.AddRange(Enumerable.Repeat(64.0, 12));
        values.Add(60);

        var byRaw = Run(raw, values);
        var byMeans = Run(averaged, values);

        Assert.True(byRaw[5].Active);
        Assert.DoesNotContain(byMeans[..24], d => d.Active);
        // The high minute is charted when the first reading of the next minute closes it.
        Assert.True(byMeans[24].Active);
        Assert.Equal("Western Electric rule 1: 64 °C beyond 3σ above the centre 60 °C (1-minute means)", byMeans[24].Detail);
    }

    [Fact]
    public void Evaluate_SubgroupWindowPassedWithoutReadings_ChartsTheSubgroup()
    {
        var detector = new SpcDetector(Known() with { Rule1 = true, Subgroup = TimeSpan.FromMinutes(1) }, MotorTemperature);
        Run(detector, Enumerable.Repeat(65.0, 12));

        Assert.False(detector.Evaluate(T0.AddSeconds(59)).Active);
        Assert.True(detector.Evaluate(T0.AddMinutes(1)).Active);
    }

    [Fact]
    public void LoadState_MidStream_ContinuesWithIdenticalDetections()
    {
        var parameters = new SpcParameters { PhaseOneCount = 20, Subgroup = TimeSpan.FromSeconds(30) };
        var values = Gaussian(seed: 11, count: 600, mean: 60, sd: 1).Select((v, i) => i > 400 ? v + 0.8 : v).ToArray();
        var original = new SpcDetector(parameters, MotorTemperature);
        Run(original, values[..333]);

        var restored = new SpcDetector(parameters, MotorTemperature);
        restored.LoadState(original.SaveState());
        var expected = Run(original, values[333..], startSecond: 333);
        var actual = Run(restored, values[333..], startSecond: 333);

        Assert.Equal(expected, actual);
        Assert.Contains(expected, d => d.Active);
        Assert.Equal(original.SaveState(), restored.SaveState());
    }
}
