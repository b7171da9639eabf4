using CityOps.Web.Features.Actions;
using CityOps.Analytics.Kpi;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Kpi;

namespace CityOps.IntegrationTests.Kpi;

/// <summary>The KPI queries against rollups built from known readings; expected values computed by hand in the comments.</summary>
public sealed class KpiQueryTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PlantAsync_KnownShift_GivesHandComputedIsoKpisAndMissingForSilentMachine()
    {
        await using var host = await KpiTestHost.StartAsync(await pg.CreateDatabaseAsync());
        var day = KpiTestHost.Tuesday;
        await host.WriteAsync(KpiTestHost.Shift(day));

        var page = await host.Service<KpiService>().PlantAsync(new KpiPeriodRequest(KpiPeriodKind.Shift, day.AddHours(8), null), "kp", null, Ct);

        var report = page.Report!;
        Assert.Equal(day.AddHours(6), report.Period.From);
        Assert.Equal(day.AddHours(14), report.Period.To);
        var m1 = report.Machines.Single(m => m.Key == "kp.line1.m1");
        Assert.Equal(435, m1.PlannedMinutes, 6);
        Assert.Equal(405, m1.RunMinutes, 6);
        Assert.Equal(30, m1.BreakdownMinutes, 6);
        Assert.Equal(2, m1.Failures);
        Assert.Equal(405.0 / 435, m1.Kpis.Availability!.Value, 9);
        Assert.Equal(1.0, m1.Kpis.Effectiveness!.Value, 9);          // 0.1 min/part × 4050 parts / 405 min
        Assert.Equal(0.9, m1.Kpis.QualityRatio!.Value, 9);           // 3645 / 4050
        Assert.Equal(0.1 * 3645 / 435, m1.Kpis.Oee!.Value, 9);       // 0.8379…
        Assert.Equal(202.5, m1.Kpis.Mtbf!.Value, 9);                 // 405 / 2
        Assert.Equal(15, m1.Kpis.Mttr!.Value, 9);                    // 30 / 2
        // Machine two reported nothing: every figure is missing, not zero.
        var m2 = report.Machines.Single(m => m.Key == "kp.line1.m2");
        Assert.False(m2.HasData);
        Assert.Null(m2.Kpis.Oee);
        Assert.Null(m2.Kpis.Availability);
        Assert.Null(m2.Produced);
        // The line is machine one alone; the plant's output is the last machine's good parts.
        Assert.Equal(m1.Kpis.Oee!.Value, report.Lines.Single().Kpis.Oee!.Value, 9);
        Assert.Equal(800, report.EnergyKwh);
        Assert.Equal(3645, report.OutputGood);
        Assert.Equal(800.0 / 3645, report.EnergyPerGoodUnit!.Value, 9);
        // Pareto: breakdown 30 min before minor stops 0 (dropped).
        var slice = Assert.Single(report.Pareto);
        Assert.Equal(30, slice.Minutes, 6);
        // Hourly trend: 06:00 45 running min × 0.9 / 45 planned; 08:00 40 × 0.9 / 60; 10:00 30 × 0.9 / 30.
        Assert.Equal(8, report.OeeTrend.Count);
        Assert.Equal(0.9, report.OeeTrend[0].Value!.Value, 9);
        Assert.Equal(0.6, report.OeeTrend[2].Value!.Value, 9);
        Assert.Equal(0.9, report.OeeTrend[4].Value!.Value, 9);

        // On the sheet: OEE 83.8 % is amber against 85 % (within 10 %), the silent machine shows dashes, the previous shift is missing.
        var sheet = page.Sheet!;
        var oee = sheet.Tiles.Single(t => t.Id == "oee");
        Assert.Equal("83.8 %", oee.Value);
        Assert.Equal(KpiLight.Amber, oee.Light);
        Assert.Equal(KpiFormat.Missing, oee.Previous);
        var silent = sheet.Tables.Single(t => t.Id == "machines").Rows.Single(r => r[0].Text == "Machine two");
        Assert.All(silent.Skip(1), c => Assert.Equal(KpiFormat.Missing, c.Text));
    }

    [Fact]
    public async Task PlantAsync_PeriodWithoutReadings_ReportsEverythingMissing()
    {
        await using var host = await KpiTestHost.StartAsync(await pg.CreateDatabaseAsync());
        var day = KpiTestHost.Tuesday;
        await host.WriteAsync(KpiTestHost.Shift(day));

        var page = await host.Service<KpiService>().PlantAsync(new KpiPeriodRequest(KpiPeriodKind.Day, day.AddDays(-1), null), "kp", null, Ct);

        var report = page.Report!;
        Assert.False(report.Plant.HasData);
        Assert.Null(report.Plant.Kpis.Oee);
        Assert.Null(report.EnergyKwh);
        Assert.All(report.OeeTrend, p => Assert.Null(p.Value));
        Assert.Empty(report.Pareto);
        Assert.All(page.Sheet!.Tiles, t => Assert.Equal(KpiLight.Missing, t.Light));
        // The previous-period comparison of the next day finds this shift.
        var next = await host.Service<KpiService>().PlantAsync(new KpiPeriodRequest(KpiPeriodKind.Day, day.AddDays(1), null), "kp", null, Ct);
        Assert.Equal("83.8 %", next.Sheet!.Tiles.Single(t => t.Id == "oee").Previous);
    }

    [Fact]
    public async Task CityAsync_KnownDay_GivesHandComputedAirTrafficWaterAndEnergy()
    {
        await using var host = await KpiTestHost.StartAsync(await pg.CreateDatabaseAsync());
        var day = KpiTestHost.Tuesday;
        var readings = new List<(string, DateTime, double)>();
        for (var h = 0; h < 24; h++)
        {
            var t = day.AddHours(h).AddMinutes(20);
            readings.Add(("kc.d1.x1.speed", t, h is 8 or 17 ? 25 : 50));
            readings.Add(("kc.d1.aq1.pm25", t, 20));
            readings.Add(("kc.d1.wz.flow", t, h is 2 or 3 ? 4 : 10));
            readings.Add(("kc.d1.wz.billed", t, 7.125));
            readings.Add(("kc.d1.em.energy", t, 50));
            readings.Add(("kc.d1.em.energy", t.AddDays(-7), 40));
        }
        await host.WriteAsync(readings);

        var page = await host.Service<KpiService>().CityAsync(new KpiPeriodRequest(KpiPeriodKind.Day, day, null), "kc", Ct);

        var r = page.Report!;
        // PM2.5 20 µg/m³ on the 2024 table: 51 + 49 / 26.3 × 10.9 = 71.3 → 71; NO2 has no readings and is skipped.
        var d1 = r.Air.Single(a => a.Key == "kc.d1");
        Assert.Equal(71, d1.WorstAqi);
        Assert.Equal(Pollutant.Pm25, d1.Dominant);
        Assert.Equal("EPA 2024", d1.AqiTable);
        Assert.Equal(EuropeanAqiBand.Fair, d1.WorstEuropeanBand);
        Assert.Equal(71, d1.HourlyAqi[5]);
        var d2 = r.Air.Single(a => a.Key == "kc.d2");
        Assert.Null(d2.WorstAqi);
        Assert.All(d2.HourlyAqi, v => Assert.Null(v));
        // Travel time per km: 22 hours at 1/50, 2 at 1/25; mean 0.021667 h against 0.02 free-flow → 8.33 %.
        Assert.Equal((22.0 / 50 + 2.0 / 25) / 24 / 0.02 - 1, r.Intersections.Single(x => x.Key == "kc.d1.x1").Level!.Value, 9);
        Assert.Null(r.Intersections.Single(x => x.Key == "kc.d2.x1").Level);
        Assert.Null(r.Districts.Single(x => x.Key == "kc.d2").Level);
        Assert.Equal(1.0, r.CongestionByHour[8]!.Value, 9);
        Assert.Equal(0.0, r.CongestionByHour[3]!.Value, 9);
        Assert.Equal(8, r.PeakHour);
        // Inflow 22 × 10 + 2 × 4 = 228 m³, billed 24 × 7.125 = 171 m³ → NRW 25 %; night minimum 4 m³/h.
        var zone = r.Water.Single(w => w.Key == "kc.d1.wz");
        Assert.Equal(228, zone.InflowVolume!.Value, 9);
        Assert.Equal(171, zone.BilledVolume!.Value, 9);
        Assert.Equal(0.25, zone.NonRevenueWater!.Value, 9);
        Assert.Equal(4, zone.MinimumNightFlow);
        // Energy 24 × 50 = 1200 kWh against 24 × 40 = 960 a week earlier: +25 %; the plant incomer had nothing.
        var meter = r.Energy.Single(e => e.Key == "kc.d1.em");
        Assert.Equal(1200, meter.Kwh);
        Assert.Equal(960, meter.WeekEarlierKwh);
        Assert.Equal(0.25, meter.Change!.Value, 9);
        Assert.Null(r.Energy.Single(e => e.Key == "kp.meter").Kwh);
        Assert.DoesNotContain(r.Energy, e => e.Key == "kp.line1.meter");

        var sheet = page.Sheet!;
        Assert.Equal("25.0 %", sheet.Tiles.Single(t => t.Id == "nrw").Value);
        Assert.Equal(KpiLight.Red, sheet.Tiles.Single(t => t.Id == "nrw").Light);
        var heat = sheet.Tables.Single(t => t.Id == "aqi-heatmap").Rows.Single(row => row[0].Text == "District two");
        Assert.All(heat.Skip(1), c => Assert.Equal(KpiFormat.Missing, c.Text));
    }

    [Fact]
    public async Task PlantAsync_LineFeederMeter_GivesLineEnergyAgainstLastWeekWithoutCountingItTwice()
    {
        await using var host = await KpiTestHost.StartAsync(await pg.CreateDatabaseAsync());
        var day = KpiTestHost.Tuesday;
        var readings = KpiTestHost.Shift(day).ToList();
        for (var h = 0; h < 8; h++)
        {
            readings.Add(("kp.line1.meter.energy", day.AddHours(6 + h).AddMinutes(10), 60));
            readings.Add(("kp.line1.meter.energy", day.AddDays(-7).AddHours(6 + h).AddMinutes(10), 50));
        }
        await host.WriteAsync(readings);

        var page = await host.Service<KpiService>().PlantAsync(new KpiPeriodRequest(KpiPeriodKind.Shift, day.AddHours(8), null), "kp", null, Ct);

        var report = page.Report!;
        // The incomer alone is the plant: 8 × 100 kWh, not 800 + 480.
        Assert.Equal(800, report.EnergyKwh);
        Assert.Null(report.WeekEarlierKwh);
        Assert.Null(report.EnergyChange);
        // Line one: 8 × 60 = 480 kWh against 8 × 50 = 400 a week earlier (+20 %), 480 / 3645 good parts = 0.1317 kWh per part.
        var line = Assert.Single(report.LineEnergy);
        Assert.Equal("kp.line1.meter", line.MeterKey);
        Assert.Equal(480, line.Kwh);
        Assert.Equal(400, line.WeekEarlierKwh);
        Assert.Equal(0.2, line.Change!.Value, 9);
        Assert.Equal(480.0 / 3645, line.KwhPerGoodUnit!.Value, 9);

        var energy = page.Sheet!.Tables.Single(t => t.Id == "energy");
        var row = energy.Rows.Single(r => r[0].Text == "Line one");
        Assert.Equal("+20.0 %", row[4].Text);
        Assert.Equal(KpiLight.Red, row[4].Light);
        Assert.Equal("0.132 kWh", row[6].Text);
        Assert.Equal("—", energy.Rows[0][3].Text);
        Assert.Contains("Line one,480.0 kWh,—,400.0 kWh,+20.0 %,\"3,645 parts\",0.132 kWh", page.Sheet.ToCsv());
    }

    [Fact]
    public async Task CityAsync_MeteringGapAndRisingNightFlow_BalancesMeteredHoursAndComparesNights()
    {
        await using var host = await KpiTestHost.StartAsync(await pg.CreateDatabaseAsync());
        var day = KpiTestHost.Tuesday;
        var readings = new List<(string, DateTime, double)>();
        for (var h = 0; h < 24; h++)
        {
            var t = day.AddHours(h).AddMinutes(20);
            readings.Add(("kc.d2.wz.flow", t, h is 2 or 3 ? 8 : 20));
            // The customer meters of hours 10 and 11 never arrived.
            if (h is not (10 or 11))
                readings.Add(("kc.d2.wz.metered", t, 17));
            readings.Add(("kc.d2.wz.flow", t.AddDays(-1), h is 2 or 3 ? 6 : 20));
        }
        await host.WriteAsync(readings);

        var page = await host.Service<KpiService>().CityAsync(new KpiPeriodRequest(KpiPeriodKind.Day, day, null), "kc", Ct);

        var zone = page.Report!.Water.Single(w => w.Key == "kc.d2.wz");
        // Inflow over the day 22 × 20 + 2 × 8 = 456 m³; billed 22 × 17 = 374 m³. The balance leaves out the two unmetered
        // hours on both sides: 416 m³ in, 374 billed → NRW 42 / 416 = 10.1 % (counting them would give 18.0 %).
        Assert.Equal(456, zone.InflowVolume!.Value, 9);
        Assert.Equal(374, zone.BilledVolume!.Value, 9);
        Assert.Equal(416, zone.Balance!.SystemInputVolume, 9);
        Assert.Equal(22, zone.Balance.Hours);
        Assert.Equal(42.0 / 416, zone.NonRevenueWater!.Value, 9);
        Assert.Equal(8, zone.MinimumNightFlow);
        Assert.Equal("District two", zone.DistrictName);
        // Zone one reported nothing: missing, not 100 % lost; the city's balance is zone two's.
        var silent = page.Report.Water.Single(w => w.Key == "kc.d1.wz");
        Assert.Null(silent.InflowVolume);
        Assert.Null(silent.Balance);
        Assert.Null(silent.MinimumNightFlow);
        Assert.Equal(42.0 / 416, page.Report.CityNonRevenueWater!.Value, 9);

        // Night flow 8 against 6 m³/h the night before: +33.3 %, beyond the 10 % rise allowed.
        var sheet = page.Sheet!;
        var night = sheet.Tiles.Single(t => t.Id == "night-flow");
        Assert.Equal("8.0 m³/h", night.Value);
        Assert.Equal("6.0 m³/h", night.Previous);
        Assert.Equal("+33.3 %", night.Change);
        Assert.Equal(KpiLight.Red, night.Light);
        var row = sheet.Tables.Single(t => t.Id == "water").Rows.Single(r => r[0].Text == "Hill zone");
        Assert.Equal("22 of 24 h", row[4].Text);
        Assert.Equal("10.1 %", row[6].Text);
        Assert.Equal(KpiLight.Green, row[6].Light);
        var silentRow = sheet.Tables.Single(t => t.Id == "water").Rows.Single(r => r[0].Text == "Water zone");
        Assert.Equal(KpiLight.Missing, silentRow[6].Light);
    }

    [Fact]
    public async Task AlarmsAsync_StoredAlarms_GivesLoadFloodStaleAndAcknowledgeTime()
    {
        await using var host = await KpiTestHost.StartAsync(await pg.CreateDatabaseAsync());
        var day = KpiTestHost.Tuesday;
        var factory = host.Service<Microsoft.EntityFrameworkCore.IDbContextFactory<CityOps.Web.Data.CityOpsDbContext>>();
        await using (var db = await factory.CreateDbContextAsync(Ct))
        {
            Alarm Make(DateTime raised, DateTime? acknowledged, DateTime? cleared, string area, string rule) => new()
            {
                RuleKey = rule, RuleName = rule, SourceKey = "kp.line1.m1.state", AssetKey = "kp.line1.m1", SiteKey = "kp", Area = area, Message = "test",
                Priority = CityOps.Analytics.Alerts.AlarmPriority.Low, State = cleared is null ? AlarmState.ActiveAcknowledged : AlarmState.Normal,
                RaisedAt = raised, AcknowledgedAt = acknowledged, ClearedAt = cleared,
            };
            // Twelve alarms from different rules within 08:00–08:10 (a flood), each acknowledged after 2 minutes;
            // one raised two days earlier and still standing (stale); one in another area, never acknowledged.
            for (var i = 0; i < 12; i++)
                db.Alarms.Add(Make(day.AddHours(8).AddSeconds(30 * i), day.AddHours(8).AddSeconds(30 * i + 120), day.AddHours(9), "plant", "rule" + i));
            db.Alarms.Add(Make(day.AddDays(-2), null, null, "plant", "old"));
            db.Alarms.Add(Make(day.AddHours(15), null, day.AddHours(16), "city", "other"));
            await db.SaveChangesAsync(Ct);
        }

        var page = await host.Service<KpiService>().AlarmsAsync(new KpiPeriodRequest(KpiPeriodKind.Day, day, null), Ct);

        var report = page.Report!.Report!;
        Assert.Equal(13, report.TotalAlarms);
        var plant = report.Areas.Single(a => a.Area == "plant");
        Assert.Equal(12, plant.PeakPerTenMinutes);
        Assert.Equal(100.0 / 144, plant.PercentTimeInFlood, 9);
        Assert.Equal(1, report.StaleAlarms);
        Assert.Equal(TimeSpan.FromMinutes(2), report.MeanTimeToAcknowledge);
        Assert.Equal("12", page.Sheet!.Tiles.Single(t => t.Id == "peak").Value);
        Assert.Equal(KpiLight.Red, page.Sheet.Tiles.Single(t => t.Id == "peak").Light);
        Assert.Equal("2.0 min", page.Sheet.Tiles.Single(t => t.Id == "mtta").Value);
    }

    [Fact]
    public async Task AlarmsAsync_StoredSuggestionsAndCommands_GivesAcceptanceAndPredictionFigures()
    {
        await using var host = await KpiTestHost.StartAsync(await pg.CreateDatabaseAsync());
        var day = KpiTestHost.Tuesday;
        var factory = host.Service<Microsoft.EntityFrameworkCore.IDbContextFactory<CityOps.Web.Data.CityOpsDbContext>>();
        await using (var db = await factory.CreateDbContextAsync(Ct))
        {
            Suggestion Make(SuggestionStatus status, int hour) => new()
            {
                AlarmId = hour, PlaybookKey = "water.open_bypass", ActuatorKey = "kp.wz.bypass", Unit = "%", Description = "Open the bypass",
                Alternatives = "[]", CreatedAt = day.AddHours(hour), Status = status,
            };
            Command Applied(Suggestion s, bool predictedWithin, bool actualWithin, double error) => new()
            {
                Suggestion = s, ActuatorKey = s.ActuatorKey, Value = 40, RequestedBy = "operator@example.org", RequestedAt = s.CreatedAt,
                Status = CommandStatus.Applied,
                Outcome = System.Text.Json.JsonSerializer.Serialize(
                    new OutcomeCheck("kp.wz.pressure", 30, 3.4, 3.3, predictedWithin, actualWithin, error, "checked"), CommandService.Json),
            };
            // Three accepted (one modified) and one rejected in the day, one expired; two applied and checked, one of them
            // off its prediction; one suggestion the day before, which must not count.
            var a = Make(SuggestionStatus.Accepted, 8);
            var b = Make(SuggestionStatus.Modified, 9);
            db.Suggestions.AddRange(a, b, Make(SuggestionStatus.Accepted, 10), Make(SuggestionStatus.Rejected, 11), Make(SuggestionStatus.Expired, 12),
                Make(SuggestionStatus.Rejected, -5));
            db.Commands.AddRange(Applied(a, true, true, 0.1), Applied(b, true, false, 0.5));
            await db.SaveChangesAsync(Ct);
        }

        var page = await host.Service<KpiService>().AlarmsAsync(new KpiPeriodRequest(KpiPeriodKind.Day, day, null), Ct);

        var response = page.Report!.Response!;
        Assert.Equal(5, response.Suggested);
        Assert.Equal(0.75, response.AcceptedShare);
        Assert.Equal(2, response.Applied);
        Assert.Equal(0.5, response.AsPredictedShare);
        Assert.Equal(0.3, response.MeanAbsoluteError!.Value, 9);
        Assert.Equal(1, page.Report.PreviousResponse!.Rejected);
        Assert.Equal("75.0 %", page.Sheet!.Tiles.Single(t => t.Id == "accepted").Value);
        Assert.Equal("50.0 %", page.Sheet.Tiles.Single(t => t.Id == "as-predicted").Value);
    }
}
