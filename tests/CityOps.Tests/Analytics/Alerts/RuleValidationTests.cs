using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Simulator;
using CityOps.Simulator.World;
using static CityOps.Tests.Analytics.Alerts.AlertTestKit;

namespace CityOps.Tests.Analytics.Alerts;

public class RuleValidationTests
{
    private static readonly RuleScope Temperatures = new(Metric: MetricKind.Temperature);

    private static AlertRuleDefinition Valid(ModelParameters? model = null) =>
        Rule("plant.motor_temp.high", Temperatures, model ?? new LimitParameters { High = 90, Low = 10, Deadband = 2 });

    private static RuleProblem Single(AlertRuleDefinition rule, string field)
    {
        var problems = RuleValidation.Validate(rule);
        return Assert.Single(problems, p => p.Field == field);
    }

    private static void NoProblem(AlertRuleDefinition rule, string field) =>
        Assert.DoesNotContain(RuleValidation.Validate(rule), p => p.Field == field);

    [Fact]
    public void Validate_EveryDemoRule_HasNoProblems()
    {
        var rules = DemoRuleSet.Create(DemoWorld.Create());

        Assert.All(rules, r => Assert.Empty(RuleValidation.Validate(r)));
    }

    [Fact]
    public void Validate_CompleteLimitRule_HasNoProblems() => Assert.Empty(RuleValidation.Validate(Valid()));

    // ---- The rule itself ----

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_BlankKey_AsksForAKey(string key)
    {
        var problem = Single(Valid() with { Key = key }, "key");

        Assert.Contains("needs a key", problem.Message);
    }

    [Theory]
    [InlineData("Plant.Motor")]
    [InlineData("plant motor")]
    [InlineData("plant..motor")]
    [InlineData(".plant")]
    [InlineData("plant/motor")]
    public void Validate_MalformedKey_ExplainsTheKeyFormat(string key)
    {
        var problem = Single(Valid() with { Key = key }, "key");

        Assert.Contains($"\"{key}\"", problem.Message);
        Assert.Contains("lower-case", problem.Message);
    }

    [Fact]
    public void Validate_KeyLongerThanStored_SaysHowLong()
    {
        var problem = Single(Valid() with { Key = new string('a', 201) }, "key");

        Assert.Contains("201", problem.Message);
        Assert.Contains("200", problem.Message);
    }

    [Theory]
    [InlineData("plant.motor_temp.high")]
    [InlineData("tcity-2.water.pressure_low")]
    [InlineData("test.0123abcd")]
    public void Validate_WellFormedKey_Accepted(string key) => NoProblem(Valid() with { Key = key }, "key");

    [Fact]
    public void Validate_BlankNameAndMessage_BothReported()
    {
        var problems = RuleValidation.Validate(Valid() with { Name = "", Message = " " });

        Assert.Contains(problems, p => p.Field == "name");
        Assert.Contains(problems, p => p.Field == "message");
    }

    [Fact]
    public void Validate_UnknownPriority_NamesTheChoices()
    {
        var problem = Single(Valid() with { Priority = (AlarmPriority)9 }, "priority");

        Assert.Contains("Low, Medium, High or Critical", problem.Message);
    }

    [Fact]
    public void Validate_MissingModel_Reported() => Single(Valid() with { Model = null! }, "model");

    // ---- Scope ----

    [Fact]
    public void Validate_EmptyScopeOnLimitRule_AsksForAtLeastOneField()
    {
        var problem = Single(Valid() with { Scope = new RuleScope() }, "scope");

        Assert.Contains("at least one of sensor, site, asset type or metric", problem.Message);
    }

    [Fact]
    public void Validate_EmptyScopeOnDataQualityRule_Accepted() =>
        NoProblem(Valid(new DataQualityParameters()) with { Scope = new RuleScope() }, "scope");

    [Fact]
    public void Validate_MissingScope_Reported() => Single(Valid() with { Scope = null! }, "scope");

    [Fact]
    public void Validate_BlankSensorKeyInScope_Reported() => Single(Valid() with { Scope = new RuleScope(SensorKey: " ") }, "scope.sensorKey");

    [Fact]
    public void Validate_BlankSiteKeyInScope_Reported() => Single(Valid() with { Scope = new RuleScope(SiteKey: "", Metric: MetricKind.Flow) }, "scope.siteKey");

    [Fact]
    public void Validate_UnknownMetricInScope_Reported() => Single(Valid() with { Scope = new RuleScope(Metric: (MetricKind)999) }, "scope.metric");

    // ---- Rationalisation and playbooks ----

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Validate_TimeToRespondNotPositive_ExplainsWhy(int minutes)
    {
        var rule = Valid() with { Rationalisation = Valid().Rationalisation with { TimeToRespond = TimeSpan.FromMinutes(minutes) } };

        var problem = Single(rule, "rationalisation.timeToRespond");

        Assert.Contains("longer than zero", problem.Message);
    }

    [Fact]
    public void Validate_BlankCauseConsequenceAndAction_EachReported()
    {
        var rule = Valid() with { Rationalisation = new Rationalisation("", " ", "", TimeSpan.FromMinutes(5)) };

        var fields = RuleValidation.Validate(rule).Select(p => p.Field).ToList();

        Assert.Equal(["rationalisation.cause", "rationalisation.consequence", "rationalisation.correctiveAction"], fields);
    }

    [Fact]
    public void Validate_MissingRationalisation_Reported() => Single(Valid() with { Rationalisation = null! }, "rationalisation");

    [Fact]
    public void Validate_BlankPlaybookKey_PointsAtTheEntry()
    {
        var problem = Single(Valid() with { Playbooks = ["line.reduce_speed", " "] }, "playbooks[1]");

        Assert.Contains("Playbook 2 has no key", problem.Message);
    }

    [Fact]
    public void Validate_PlaybookListedTwice_Reported()
    {
        var problem = Single(Valid() with { Playbooks = ["line.reduce_speed", "line.reduce_speed"] }, "playbooks[1]");

        Assert.Contains("listed twice", problem.Message);
    }

    [Fact]
    public void Validate_MissingPlaybookList_Reported() => Single(Valid() with { Playbooks = null! }, "playbooks");

    // ---- Limit ----

    [Fact]
    public void Validate_LimitWithoutAnyLimit_NamesTheThreeKinds()
    {
        var problem = Single(Valid(new LimitParameters()), "model");

        Assert.Contains("high limit, a low limit or a rate-of-change limit", problem.Message);
    }

    [Fact]
    public void Validate_LimitRateOnly_Accepted() => Assert.Empty(RuleValidation.Validate(Valid(new LimitParameters { RateLimit = 2 })));

    [Fact]
    public void Validate_DeadbandWiderThanLimitGap_ExplainsWithBothNumbers()
    {
        var problem = Single(Valid(new LimitParameters { High = 15, Low = 10, Deadband = 6 }), "model.deadband");

        Assert.Equal("The deadband (6) must be smaller than the distance between the low and high limits (5), or a cleared high alarm would already be a low one.", problem.Message);
    }

    [Fact]
    public void Validate_DeadbandWithOnlyHighLimit_AnySizeAccepted() =>
        NoProblem(Valid(new LimitParameters { High = 15, Deadband = 50 }), "model.deadband");

    [Fact]
    public void Validate_NegativeDeadband_Reported()
    {
        var problem = Single(Valid(new LimitParameters { High = 90, Deadband = -1 }), "model.deadband");

        Assert.Contains("(-1) cannot be negative", problem.Message);
    }

    [Fact]
    public void Validate_LowAboveHigh_ExplainsWithBothNumbers()
    {
        var problem = Single(Valid(new LimitParameters { High = 10, Low = 20 }), "model.low");

        Assert.Equal("The low limit (20) must be below the high limit (10).", problem.Message);
    }

    [Fact]
    public void Validate_NonFiniteLimit_Reported() => Single(Valid(new LimitParameters { High = double.NaN }), "model.high");

    [Fact]
    public void Validate_NegativeDelays_BothReported()
    {
        var problems = RuleValidation.Validate(Valid(new LimitParameters { High = 90, OnDelay = TimeSpan.FromSeconds(-1), OffDelay = TimeSpan.FromSeconds(-2) }));

        Assert.Contains(problems, p => p.Field == "model.onDelay" && p.Message.Contains("-00:00:01"));
        Assert.Contains(problems, p => p.Field == "model.offDelay" && p.Message.Contains("-00:00:02"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Validate_RateLimitNotPositive_Reported(double rate) => Single(Valid(new LimitParameters { RateLimit = rate }), "model.rateLimit");

    [Fact]
    public void Validate_RateWindowZeroWithRateLimit_Reported() =>
        Single(Valid(new LimitParameters { RateLimit = 1, RateWindow = TimeSpan.Zero }), "model.rateWindow");

    [Fact]
    public void Validate_RateWindowZeroWithoutRateLimit_Ignored() =>
        NoProblem(Valid(new LimitParameters { High = 1, RateWindow = TimeSpan.Zero }), "model.rateWindow");

    // ---- Data quality ----

    [Fact]
    public void Validate_DataQualityWithEveryCheckOff_Reported()
    {
        var problem = Single(Valid(new DataQualityParameters { StaleIntervals = null, FlatlineDuration = null, CheckRange = false }), "model");

        Assert.Contains("at least one check", problem.Message);
    }

    [Fact]
    public void Validate_StaleIntervalsNotPositive_Reported() => Single(Valid(new DataQualityParameters { StaleIntervals = 0 }), "model.staleIntervals");

    [Fact]
    public void Validate_NegativeStaleMinimum_Reported() =>
        Single(Valid(new DataQualityParameters { StaleMinimum = TimeSpan.FromMinutes(-1) }), "model.staleMinimum");

    [Fact]
    public void Validate_FlatlineDurationZero_Reported() =>
        Single(Valid(new DataQualityParameters { FlatlineDuration = TimeSpan.Zero }), "model.flatlineDuration");

    [Fact]
    public void Validate_FlatlineOfOneReading_SaysAtLeastTwo()
    {
        var problem = Single(Valid(new DataQualityParameters { FlatlineReadings = 1 }), "model.flatlineReadings");

        Assert.Contains("at least 2 identical readings, not 1", problem.Message);
    }

    // ---- Baseline ----

    [Fact]
    public void Validate_DefaultBaseline_HasNoProblems() => Assert.Empty(RuleValidation.Validate(Valid(new BaselineParameters())));

    [Theory]
    [InlineData(0)]
    [InlineData(1441)]
    public void Validate_SlotsPerDayOutOfRange_Reported(int slots) => Single(Valid(new BaselineParameters { SlotsPerDay = slots }), "model.slotsPerDay");

    [Fact]
    public void Validate_ShortWindowNotShorterThanLongMemory_ExplainsWithBoth()
    {
        var problem = Single(Valid(new BaselineParameters { ShortWindowReadings = 50, LongMemoryReadings = 40 }), "model.shortWindowReadings");

        Assert.Contains("(50 readings)", problem.Message);
        Assert.Contains("(40 readings)", problem.Message);
    }

    [Theory]
    [InlineData(nameof(BaselineParameters.ProfileMemoryDays), "model.profileMemoryDays")]
    [InlineData(nameof(BaselineParameters.LongMemoryReadings), "model.longMemoryReadings")]
    [InlineData(nameof(BaselineParameters.ShortWindowReadings), "model.shortWindowReadings")]
    [InlineData(nameof(BaselineParameters.WarmupReadings), "model.warmupReadings")]
    [InlineData(nameof(BaselineParameters.ScoreDecades), "model.scoreDecades")]
    [InlineData(nameof(BaselineParameters.RarityWeight), "model.rarityWeight")]
    [InlineData(nameof(BaselineParameters.SustainReadings), "model.sustainReadings")]
    [InlineData(nameof(BaselineParameters.ClearReadings), "model.clearReadings")]
    [InlineData(nameof(BaselineParameters.ReportScore), "model.reportScore")]
    [InlineData(nameof(BaselineParameters.HoldoffReadings), "model.holdoffReadings")]
    [InlineData(nameof(BaselineParameters.HoldoffWeight), "model.holdoffWeight")]
    [InlineData(nameof(BaselineParameters.BandSigmas), "model.bandSigmas")]
    public void Validate_BaselineSettingNegative_ReportedUnderItsField(string property, string field)
    {
        var model = property switch
        {
            nameof(BaselineParameters.ProfileMemoryDays) => new BaselineParameters { ProfileMemoryDays = -1 },
            nameof(BaselineParameters.LongMemoryReadings) => new BaselineParameters { LongMemoryReadings = -1 },
            nameof(BaselineParameters.ShortWindowReadings) => new BaselineParameters { ShortWindowReadings = -1 },
            nameof(BaselineParameters.WarmupReadings) => new BaselineParameters { WarmupReadings = -1 },
            nameof(BaselineParameters.ScoreDecades) => new BaselineParameters { ScoreDecades = -1 },
            nameof(BaselineParameters.RarityWeight) => new BaselineParameters { RarityWeight = -1 },
            nameof(BaselineParameters.SustainReadings) => new BaselineParameters { SustainReadings = -1 },
            nameof(BaselineParameters.ClearReadings) => new BaselineParameters { ClearReadings = -1 },
            nameof(BaselineParameters.ReportScore) => new BaselineParameters { ReportScore = -1 },
            nameof(BaselineParameters.HoldoffReadings) => new BaselineParameters { HoldoffReadings = -1 },
            nameof(BaselineParameters.HoldoffWeight) => new BaselineParameters { HoldoffWeight = -1 },
            _ => new BaselineParameters { BandSigmas = -1 },
        };

        var problem = Single(Valid(model), field);

        Assert.Contains("-1", problem.Message);
    }

    [Fact]
    public void Validate_RarityWeightAboveOne_SaysBetweenZeroAndOne()
    {
        var problem = Single(Valid(new BaselineParameters { RarityWeight = 1.5 }), "model.rarityWeight");

        Assert.Equal("The rarity weight (1.5) must be between 0 and 1.", problem.Message);
    }

    // ---- Forecast ----

    [Fact]
    public void Validate_DefaultForecastWithHigh_HasNoProblems() => Assert.Empty(RuleValidation.Validate(Valid(new ForecastParameters { High = 85 })));

    [Fact]
    public void Validate_ForecastWithoutLimit_Reported() => Single(Valid(new ForecastParameters()), "model");

    [Fact]
    public void Validate_ForecastLowAboveHigh_Reported() => Single(Valid(new ForecastParameters { High = 1, Low = 2 }), "model.low");

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    public void Validate_ForecastSmoothingOutsideZeroToOne_EachReported(double value)
    {
        var model = new ForecastParameters { High = 85, Alpha = value, Beta = value, Phi = value, Gamma = value, Season = TimeSpan.FromDays(1) };

        var problems = RuleValidation.Validate(Valid(model));

        foreach (var field in new[] { "model.alpha", "model.beta", "model.phi", "model.gamma" })
        {
            var problem = Assert.Single(problems, p => p.Field == field);
            Assert.Contains("must be above 0 and at most 1", problem.Message);
        }
    }

    [Fact]
    public void Validate_ForecastGammaWithoutSeason_Ignored() =>
        NoProblem(Valid(new ForecastParameters { High = 85, Gamma = 5 }), "model.gamma");

    [Theory]
    [InlineData(30)]
    [InlineData(90)]
    public void Validate_HorizonNotWholeMinutesOrTooShort_Reported(int seconds) =>
        Single(Valid(new ForecastParameters { High = 85, Horizon = TimeSpan.FromSeconds(seconds) }), "model.horizon");

    [Theory]
    [InlineData(20)]
    [InlineData(50)]
    public void Validate_SeasonNotMultipleOfFifteenMinutesOrShort_Reported(int minutes) =>
        Single(Valid(new ForecastParameters { High = 85, Season = TimeSpan.FromMinutes(minutes) }), "model.season");

    [Fact]
    public void Validate_ForecastCountsTooSmall_EachReported()
    {
        var problems = RuleValidation.Validate(Valid(new ForecastParameters { High = 85, ConfirmMinutes = 0, WarmupMinutes = 1, IntervalZ = -1 }));

        Assert.Contains(problems, p => p.Field == "model.confirmMinutes");
        Assert.Contains(problems, p => p.Field == "model.warmupMinutes" && p.Message.Contains("(1 minutes)"));
        Assert.Contains(problems, p => p.Field == "model.intervalZ");
    }

    // ---- SPC ----

    [Fact]
    public void Validate_DefaultSpc_HasNoProblems() => Assert.Empty(RuleValidation.Validate(Valid(new SpcParameters())));

    [Fact]
    public void Validate_SpcWithEveryRuleOff_Reported() =>
        Single(Valid(new SpcParameters { Rule1 = false, Rule2 = false, Rule3 = false, Rule4 = false, Ewma = false, Cusum = false }), "model");

    [Fact]
    public void Validate_PhaseOneTooShortWithoutKnownCentre_Reported() => Single(Valid(new SpcParameters { PhaseOneCount = 1 }), "model.phaseOneCount");

    [Fact]
    public void Validate_PhaseOneTooShortWithKnownCentreAndSigma_Accepted() =>
        NoProblem(Valid(new SpcParameters { PhaseOneCount = 0, Centre = 50, Sigma = 2 }), "model.phaseOneCount");

    [Fact]
    public void Validate_SpcSettingsOutOfRange_EachReported()
    {
        var model = new SpcParameters { Sigma = 0, Subgroup = TimeSpan.FromSeconds(-1), EwmaLambda = 0, EwmaL = 0, CusumK = -1, CusumH = 0 };

        var fields = RuleValidation.Validate(Valid(model)).Select(p => p.Field).ToHashSet();

        Assert.Superset(new HashSet<string> { "model.sigma", "model.subgroup", "model.ewmaLambda", "model.ewmaL", "model.cusumK", "model.cusumH" }, fields);
    }

    // ---- Multivariate ----

    private static MultivariateParameters Pump() => new() { Metrics = [MetricKind.Pressure, MetricKind.Flow, MetricKind.Power] };

    [Fact]
    public void Validate_DefaultMultivariate_HasNoProblems() => Assert.Empty(RuleValidation.Validate(Valid(Pump())));

    [Fact]
    public void Validate_MultivariateWithOneMetric_Reported()
    {
        var problem = Single(Valid(Pump() with { Metrics = [MetricKind.Flow] }), "model.metrics");

        Assert.Contains("at least two metrics of the asset, not 1", problem.Message);
    }

    [Fact]
    public void Validate_MultivariateMetricListedTwice_Reported()
    {
        var problem = Single(Valid(Pump() with { Metrics = [MetricKind.Flow, MetricKind.Flow, MetricKind.Power] }), "model.metrics");

        Assert.Contains("listed 2 times", problem.Message);
    }

    [Fact]
    public void Validate_TrainingSizeNotAboveMetricsPlusOne_ExplainsWithNumbers()
    {
        var problem = Single(Valid(Pump() with { TrainingSize = 4 }), "model.trainingSize");

        Assert.Equal("The training size (4 vectors) must exceed the number of metrics + 1 (4).", problem.Message);
    }

    [Fact]
    public void Validate_MoreComponentsThanMetrics_Reported() => Single(Valid(Pump() with { Components = 4 }), "model.components");

    [Fact]
    public void Validate_MultivariateSettingsOutOfRange_EachReported()
    {
        var model = Pump() with
        {
            Step = TimeSpan.Zero, VarianceExplained = 0, ConfidenceLevel = 0.4, TrainingQuantile = 1, LimitFactor = 0,
            SmoothingWindow = 0, Statistic = (MultivariateStatistic)9, MinRelativeSpread = -0.1,
        };

        var fields = RuleValidation.Validate(Valid(model)).Select(p => p.Field).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "model.step", "model.varianceExplained", "model.confidenceLevel", "model.trainingQuantile", "model.limitFactor",
            "model.smoothingWindow", "model.statistic", "model.minRelativeSpread",
        }, fields);
    }

    // ---- Throwing ----

    [Fact]
    public void ThrowIfInvalid_InvalidRule_ArgumentExceptionCarryingEveryProblem()
    {
        var rule = Valid(new LimitParameters { High = 15, Low = 10, Deadband = 6 }) with { Name = "" };

        var e = Assert.Throws<RuleValidationException>(() => RuleValidation.ThrowIfInvalid(rule));

        Assert.IsAssignableFrom<ArgumentException>(e);
        Assert.Equal(["name", "model.deadband"], e.Problems.Select(p => p.Field));
        Assert.Contains("The deadband (6)", e.Message);
    }

    [Fact]
    public void ThrowIfInvalid_ValidRule_DoesNotThrow() => RuleValidation.ThrowIfInvalid(Valid());
}
