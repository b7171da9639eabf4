using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Analytics.Alerts.Baseline;

namespace CityOps.Tests.Analytics.Alerts;

public sealed class BaselineDetectorTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    // A Monday, so whole weeks start on the same weekday.
    private static readonly DateTime Start = new(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc);

    private static SensorContext Sensor(TimeZoneInfo? zone = null) =>
        new("city.road1.speed", MetricKind.TrafficSpeed, "km/h", 0, 200, Step, zone ?? TimeZoneInfo.Utc);

    // Quiet nights around 10 km/h, busy days around 50 km/h, with a smooth change in between.
    private static double Daily(double localHour) => 30 - 20 * Math.Cos(2 * Math.PI * localHour / 24);

    private static IEnumerable<(DateTime At, double Value)> Days(DateTime from, int days, TimeZoneInfo zone, int seed)
    {
        var random = new Random(seed);
        for (var t = from; t < from.AddDays(days); t += Step)
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(t, zone);
            yield return (t, Daily(local.TimeOfDay.TotalHours) + Noise(random));
        }
    }

    private static double Noise(Random random) => (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 1.5;

    // Without the hold-off, so a score can be read for each reading whatever the training series did just before.
    private static readonly BaselineParameters NoHoldoff = new() { HoldoffReadings = 0 };

    private static BaselineDetector Trained(int days = 14, TimeZoneInfo? zone = null, BaselineParameters? parameters = null)
    {
        var detector = new BaselineDetector(parameters ?? NoHoldoff, Sensor(zone));
        foreach (var (at, value) in Days(Start, days, zone ?? TimeZoneInfo.Utc, seed: 7))
        {
            detector.Update(at, value);
        }
        return detector;
    }

    [Fact]
    public void Update_DaytimeLevelAtNight_RaisesAlarm()
    {
        var detector = Trained();
        var night = Start.AddDays(14).AddHours(3);
        var random = new Random(11);
        var detections = new List<Detection>();

        // 50 km/h is an ordinary afternoon value, but at 03:00 the road is normally near 10 km/h.
        for (var i = 0; i < 12; i++)
        {
            detections.Add(detector.Update(night + i * Step, Daily(15) + Noise(random)));
        }

        Assert.True(detections[^1].Active);
        Assert.True(detections[0].Score > 0.5, $"score {detections[0].Score}");
        // Hourly slots: the expectation is the 03:00–04:00 level, far below the afternoon's.
        Assert.InRange(detections[^1].Expected!.Value, Daily(3) - 1, Daily(4) + 1);
        Assert.True(detections[0].BandHigh < 40, $"band high {detections[0].BandHigh}");
        Assert.Contains("km/h", detections[^1].Detail);
    }

    [Fact]
    public void Update_DaytimeLevelAtNight_DetailSaysValueSigmasUsualLevelSlotAndBand()
    {
        var detector = Trained();
        var at = Start.AddDays(14).AddHours(3);

        var detection = detector.Update(at, 50);

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.StartsWith("50 km/h is ", detection.Detail);
        Assert.Matches(@"^50 km/h is \d+\.\dσ above the usual [\d.]+ km/h for Mon 03:00 \(normal [-\d.]+–[\d.]+ km/h\), score \d\.\d\d$", detection.Detail);
        Assert.Contains($"the usual {detection.Expected!.Value.ToString("G4", inv)} km/h", detection.Detail);
        Assert.Contains($"normal {detection.BandLow!.Value.ToString("G4", inv)}–{detection.BandHigh!.Value.ToString("G4", inv)} km/h", detection.Detail);
        Assert.EndsWith($"score {detection.Score.ToString("0.00", inv)}", detection.Detail);
    }

    [Fact]
    public void Update_DaytimeLevelInTheAfternoon_StaysNormal()
    {
        var detector = Trained();
        var afternoon = Start.AddDays(14).AddHours(15);
        var random = new Random(11);

        var detections = Enumerable.Range(0, 12).Select(i => detector.Update(afternoon + i * Step, Daily(15) + Noise(random))).ToList();

        Assert.All(detections, d => Assert.False(d.Active));
        Assert.All(detections, d => Assert.True(d.Score < 0.5, $"score {d.Score}"));
    }

    [Fact]
    public void Update_NormalDayAfterLearning_NeverActive()
    {
        var detector = Trained();

        var day = Days(Start.AddDays(14), 1, TimeZoneInfo.Utc, seed: 99).Select(r => detector.Update(r.At, r.Value)).ToList();

        Assert.All(day, d => Assert.False(d.Active));
        Assert.True(day.Max(d => d.Score) < new BaselineParameters().ReportScore, $"max score {day.Max(d => d.Score)}");
        // The band follows the time of day: narrow around the night level, narrow around the day level.
        var nightBand = day[3 * 12];
        var dayBand = day[15 * 12];
        Assert.True(nightBand.BandHigh < dayBand.BandLow, $"night {nightBand.BandLow}–{nightBand.BandHigh}, day {dayBand.BandLow}–{dayBand.BandHigh}");
    }

    [Fact]
    public void Update_SingleSpike_ScoresButDoesNotRaiseAlarm()
    {
        var detector = Trained();
        var at = Start.AddDays(14).AddHours(3);
        var random = new Random(5);

        var spike = detector.Update(at, 60);
        var after = Enumerable.Range(1, 12).Select(i => detector.Update(at + i * Step, Daily(3 + i / 12.0) + Noise(random))).ToList();

        Assert.True(spike.Score > 0.5, $"score {spike.Score}");
        Assert.False(spike.Active);
        Assert.All(after, d => Assert.False(d.Active));
    }

    [Fact]
    public void Update_SustainedDeviation_RaisesAlarmAfterSustainReadingsAndClearsWhenNormalAgain()
    {
        var parameters = new BaselineParameters();
        var detector = Trained();
        var at = Start.AddDays(14).AddHours(3);
        var random = new Random(5);

        var raised = Enumerable.Range(0, parameters.SustainReadings).Select(i => detector.Update(at + i * Step, 60)).ToList();
        at += parameters.SustainReadings * Step;
        var recovered = Enumerable.Range(0, 24).Select(i => detector.Update(at + i * Step, Daily(3.25 + i / 12.0) + Noise(random))).ToList();

        Assert.All(raised[..^1], d => Assert.False(d.Active));
        Assert.True(raised[^1].Active);
        Assert.False(recovered[^1].Active);
    }

    [Fact]
    public void Update_SecondDeviationWithinHoldoff_ReportsOnceButAlarmFollowsEach()
    {
        var parameters = new BaselineParameters { HoldoffReadings = 100 };
        var detector = Trained(parameters: parameters);
        var at = Start.AddDays(14);
        var random = new Random(8);

        List<Detection> Deviate(int readings) =>
            Enumerable.Range(0, readings).Select(_ => { at += Step; return detector.Update(at, 60); }).ToList();
        List<Detection> Normal(int readings) =>
            Enumerable.Range(0, readings).Select(_ =>
            {
                at += Step;
                return detector.Update(at, Daily(at.TimeOfDay.TotalHours) + Noise(random));
            }).ToList();

        var first = Deviate(6);
        Normal(24);
        var second = Deviate(6);
        Normal(120);
        var third = Deviate(6);

        Assert.True(first[0].Score > 0.5, $"first {first[0].Score}");
        Assert.True(first[^1].Active);
        // Within the hold-off the event is already reported: no new report, but the alarm still follows the process.
        Assert.All(second, d => Assert.Equal(0, d.Score));
        Assert.True(second[^1].Active);
        Assert.True(third.Max(d => d.Score) > 0.5, $"third {third.Max(d => d.Score)}");
    }

    [Fact]
    public void Update_AnySeries_ScoreWithinUnitInterval()
    {
        var detector = new BaselineDetector(new BaselineParameters(), Sensor());
        var random = new Random(3);
        var scores = new List<double>();
        for (var i = 0; i < 5000; i++)
        {
            // Flat stretches, huge spikes, level shifts and a non-finite reading: the score must stay a probability-like number.
            var value = i switch
            {
                < 500 => 0,
                < 1500 => random.NextDouble(),
                1600 => 1e9,
                < 3000 => 100 + random.NextDouble(),
                3001 => double.NaN,
                _ => -1e6 + random.NextDouble() * 1e3,
            };
            scores.Add(detector.Update(Start + i * Step, value).Score);
        }

        Assert.All(scores, s => Assert.InRange(s, 0, 1));
        Assert.Contains(scores, s => s > 0.5);
    }

    [Fact]
    public void LoadState_HalfwaySave_ContinuesExactlyAsUninterruptedRun()
    {
        var readings = Days(Start, 10, TimeZoneInfo.Utc, seed: 21).ToList();
        readings[2500] = (readings[2500].At, 80);
        var parameters = new BaselineParameters();
        var uninterrupted = new BaselineDetector(parameters, Sensor());
        var expected = readings.Select(r => uninterrupted.Update(r.At, r.Value)).ToList();

        var first = new BaselineDetector(parameters, Sensor());
        var half = readings.Count / 2;
        var actual = readings.Take(half).Select(r => first.Update(r.At, r.Value)).ToList();
        var state = first.SaveState();
        var resumed = new BaselineDetector(parameters, Sensor());
        resumed.LoadState(state);
        actual.AddRange(readings.Skip(half).Select(r => resumed.Update(r.At, r.Value)));

        Assert.Equal(expected, actual);
        Assert.Equal(uninterrupted.SaveState(), resumed.SaveState());
        Assert.Contains(expected.Skip(half), d => d.Score > 0.5);
    }

    [Fact]
    public void SaveState_AfterWeeksOfFiveMinuteReadings_StaysSmall()
    {
        var detector = Trained(days: 28);

        var state = detector.SaveState();

        Assert.True(state.Length < 8_000, $"{state.Length} characters");
    }

    [Fact]
    public void LoadState_DifferentSlotLayout_Throws()
    {
        var state = Trained(days: 2).SaveState();
        var other = new BaselineDetector(new BaselineParameters { SlotsPerDay = 96 }, Sensor());

        Assert.Throws<ArgumentException>(() => other.LoadState(state));
    }

    [Fact]
    public void Update_AcrossDaylightSavingChange_KeepsLocalTimeOfDay()
    {
        // Berlin moves its clocks forward on 29 March 2026: a rhythm tied to local time shifts by an hour in UTC.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var local = Trained(days: 27, zone: berlin);
        var utcModel = new BaselineDetector(NoHoldoff, Sensor(TimeZoneInfo.Utc));
        foreach (var (at, value) in Days(Start, 27, berlin, seed: 7))
        {
            utcModel.Update(at, value);
        }

        // After the change, 05:00 UTC is 07:00 in Berlin; before it, 05:00 UTC was 06:00 there.
        var afterChange = new DateTime(2026, 3, 30, 5, 0, 0, DateTimeKind.Utc);
        var random = new Random(2);
        var localDetections = new List<Detection>();
        var utcDetections = new List<Detection>();
        for (var i = 0; i < 12; i++)
        {
            var at = afterChange + i * Step;
            var value = Daily(TimeZoneInfo.ConvertTimeFromUtc(at, berlin).TimeOfDay.TotalHours) + Noise(random);
            localDetections.Add(local.Update(at, value));
            utcDetections.Add(utcModel.Update(at, value));
        }

        var expectedLocal = Daily(7.5);
        Assert.InRange(localDetections[6].Expected!.Value, expectedLocal - 2, expectedLocal + 2);
        Assert.Contains("07:30", localDetections[6].Detail);
        // The UTC model still expects the 06:30 level, an hour behind what the site now does.
        Assert.True(utcDetections[6].Expected < localDetections[6].Expected - 2,
            $"utc {utcDetections[6].Expected}, local {localDetections[6].Expected}");
    }

    [Fact]
    public void Evaluate_NoReadingYet_ReturnsNormal()
    {
        var detector = new BaselineDetector(new BaselineParameters(), Sensor());

        Assert.Equal(Detection.Normal, detector.Evaluate(Start));
    }
}
