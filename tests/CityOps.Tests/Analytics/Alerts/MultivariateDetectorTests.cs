using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Analytics.Alerts.Multivariate;

namespace CityOps.Tests.Analytics.Alerts;

public sealed class MultivariateDetectorTests
{
    private static readonly DateTime T0 = new(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);

    private static readonly IReadOnlyList<SensorContext> PumpSensors =
    [
        new("plant.pump1.flow", MetricKind.Flow, "m³/h", 0, 200, TimeSpan.FromSeconds(1), TimeZoneInfo.Utc),
        new("plant.pump1.current", MetricKind.Current, "A", 0, 100, TimeSpan.FromSeconds(1), TimeZoneInfo.Utc),
        new("plant.pump1.bearing_temp", MetricKind.Temperature, "°C", -40, 150, TimeSpan.FromSeconds(1), TimeZoneInfo.Utc),
    ];

    /// <summary>Theoretical limits on raw statistics, so each test controls exactly what fires.</summary>
    private static readonly MultivariateParameters Textbook = new()
    {
        Metrics = [MetricKind.Flow, MetricKind.Current, MetricKind.Temperature],
        TrainingSize = 300,
        Components = 2,
        ConfidenceLevel = 0.999,
        TrainingQuantile = null,
        LimitFactor = 1,
        SmoothingWindow = 1,
        MinRelativeSpread = 0,
    };

    /// <summary>
    /// Normal operation: the flow swings over its whole range with demand, the motor current follows the flow
    /// (≈ 10 + 0.2·flow A), and the bearing temperature wanders on its own.
    /// </summary>
    private static IEnumerable<double[]> Normal(int seed, int count)
    {
        var random = new Random(seed);
        double Noise(double sd) => sd * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        for (var i = 0; i < count; i++)
        {
            var flow = 100 + 30 * Math.Sin(i / 15.0) + Noise(3);
            yield return [flow, 10 + 0.2 * flow + Noise(0.3), 55 + Noise(1)];
        }
    }

    private static List<Detection> Run(MultivariateDetector detector, IEnumerable<double[]> vectors, int start = 0) =>
        vectors.Select((v, i) => detector.Update(T0.AddSeconds(start + i), v)).ToList();

    [Fact]
    public void Update_CorrelationBreakWithinEachSensorsRange_QFiresNamingTheSensors()
    {
        var training = Normal(seed: 1, count: 300).ToArray();
        var detector = new MultivariateDetector(Textbook, PumpSensors);
        Run(detector, training);
        // Flow low but current high (e.g. a blocked impeller): each is well inside its own normal range.
        double[] broken = [85, 34, 55];

        var detection = detector.Update(T0.AddSeconds(300), broken);

        for (var j = 0; j < 3; j++)
        {
            var mean = training.Average(v => v[j]);
            var sd = Math.Sqrt(training.Sum(v => (v[j] - mean) * (v[j] - mean)) / (training.Length - 1));
            Assert.InRange(broken[j], mean - 3 * sd, mean + 3 * sd);
        }

        Assert.True(detection.Active);
        Assert.StartsWith("Q (SPE)", detection.Detail);
        Assert.Contains("plant.pump1.current", detection.Detail);
        Assert.Contains("plant.pump1.flow", detection.Detail);
        Assert.DoesNotContain("bearing_temp", detection.Detail);
        Assert.InRange(detection.Score, 0.5, 1);
    }

    [Fact]
    public void Update_NormalOperationAfterTraining_RarelyFires()
    {
        var detector = new MultivariateDetector(Textbook, PumpSensors);
        var vectors = Normal(seed: 2, count: 3300).ToArray();

        var detections = Run(detector, vectors);

        Assert.All(detections[..300], d => Assert.False(d.Active));
        var share = detections.Skip(300).Count(d => d.Active) / 3000.0;
        Assert.InRange(share, 0, 0.01);
        Assert.All(detections.Skip(300), d => Assert.InRange(d.Score, 0, 1));
    }

    [Fact]
    public void Update_LargeMoveAlongTheNormalCorrelation_T2Fires()
    {
        var detector = new MultivariateDetector(Textbook, PumpSensors);
        Run(detector, Normal(seed: 3, count: 300));

        // Flow and current both far above anything seen, but still in their usual ratio.
        var detection = detector.Update(T0.AddSeconds(300), [190, 48, 55]);

        Assert.True(detection.Active);
        Assert.StartsWith("Hotelling T²", detection.Detail);
        Assert.Contains("plant.pump1.flow", detection.Detail);
    }

    [Fact]
    public void Update_SmoothingWindow_IgnoresASingleOddVector()
    {
        var detector = new MultivariateDetector(Textbook with { SmoothingWindow = 5 }, PumpSensors);
        var vectors = Normal(seed: 4, count: 320).ToArray();
        vectors[305] = [85, 34, 55];

        var detections = Run(detector, vectors);

        Assert.DoesNotContain(detections, d => d.Active);
    }

    [Fact]
    public void Update_DuringTraining_ReportsProgressAndNeverFires()
    {
        var detector = new MultivariateDetector(Textbook, PumpSensors);

        var detections = Run(detector, Normal(seed: 5, count: 299));

        Assert.False(detector.IsTrained);
        Assert.All(detections, d => Assert.False(d.Active));
        Assert.Equal("Learning normal operation: 299 of 300 vectors", detections[^1].Detail);
        detector.Update(T0.AddSeconds(299), [100, 30, 55]);
        Assert.True(detector.IsTrained);
        Assert.Equal(2, detector.ComponentCount);
        Assert.True(detector.T2Limit > 0 && detector.QLimit > 0);
    }

    [Fact]
    public void Update_VectorOfWrongLength_Throws()
    {
        var detector = new MultivariateDetector(Textbook, PumpSensors);

        Assert.Throws<ArgumentException>(() => detector.Update(T0, [1.0, 2.0]));
    }

    [Theory]
    [InlineData(150)]
    [InlineData(450)]
    public void LoadState_MidStream_ContinuesWithIdenticalDetections(int split)
    {
        var parameters = new MultivariateParameters { Metrics = Textbook.Metrics, TrainingSize = 300 };
        var vectors = Normal(seed: 6, count: 700).ToArray();
        for (var i = 500; i < 560; i++) vectors[i][1] += 4;
        var original = new MultivariateDetector(parameters, PumpSensors);
        Run(original, vectors[..split]);

        var restored = new MultivariateDetector(parameters, PumpSensors);
        restored.LoadState(original.SaveState());
        var expected = Run(original, vectors[split..], split);
        var actual = Run(restored, vectors[split..], split);

        Assert.Equal(expected, actual);
        Assert.Contains(expected, d => d.Active);
        Assert.Equal(original.SaveState(), restored.SaveState());
    }
}
