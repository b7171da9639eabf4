using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using CityOps.Analytics;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration.Assets;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.IntegrationTests.Administration;

/// <summary>The registry administration against the real application and PostgreSQL; each test builds its own site.</summary>
public sealed class AssetRegistryTests(PostgresFixture pg) : IAsyncLifetime
{
    private const string AdminEmail = "root@cityops.local";
    private const string AdminPassword = "Admin-Passw0rd!";
    private static readonly ClaimsPrincipal Admin = User(AdminEmail, Roles.Administrator);
    private CityOpsAppFactory _app = null!;
    private string _connectionString = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private AssetRegistry Registry => _app.Services.GetRequiredService<AssetRegistry>();
    private RegistryCsv Csv => _app.Services.GetRequiredService<RegistryCsv>();

    public async ValueTask InitializeAsync()
    {
        _connectionString = await pg.CreateDatabaseAsync();
        _app = new CityOpsAppFactory(_connectionString);
        // The documented demo gateway key, as demo mode seeds it.
        var demo = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        await new DemoApiKeySeeder(demo).SeedAsync(_app.Services, Ct);
        await AccountClient.CreateUserAsync(_app.Services, AdminEmail, AdminPassword, Roles.Administrator);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static ClaimsPrincipal User(string name, params string[] roles) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    /// <summary>A site with a district, a crossing below it and a sensor on the crossing.</summary>
    private async Task<string> NewSiteAsync(string prefix)
    {
        await Registry.CreateSiteAsync(Admin, new SiteInput(prefix, $"{prefix} city", SiteKind.City, 52.5, 13.4, 12, "Europe/Berlin"), Ct);
        await Registry.CreateAssetAsync(Admin, new AssetInput($"{prefix}.north", prefix, null, "North", AssetType.District, 52.51, 13.41), Ct);
        await Registry.CreateAssetAsync(Admin, new AssetInput($"{prefix}.north.x1", prefix, $"{prefix}.north", "Crossing 1", AssetType.Intersection, 52.52, 13.42), Ct);
        await Registry.CreateSensorAsync(Admin,
            new SensorInput($"{prefix}.north.x1.speed", $"{prefix}.north.x1", MetricKind.TrafficSpeed, "km/h", 0, 130, 5, null, null), Ct);
        return prefix;
    }

    private HttpClient DemoGateway()
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", DemoApiKeySeeder.DefaultSecret);
        return client;
    }

    private static StringContent Readings(string sensor, params double[] values)
    {
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
        var items = values.Select((v, i) => new { sensor, ts = t0.AddSeconds(i).ToString("O"), value = v });
        return new StringContent(JsonSerializer.Serialize(items), Encoding.UTF8, "application/json");
    }

    private async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private async Task<CityOpsDbContext> DbAsync() =>
        await _app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);

    [Fact]
    public async Task CreateSensorAsync_NewKey_IngestAcceptsItsReadingsAtOnce()
    {
        await NewSiteAsync("ing");
        var gateway = DemoGateway();
        var before = await gateway.PostAsync("/api/v1/readings", Readings("ing.north.x1.occ", 3), Ct);
        Assert.Equal(0, (await before.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accepted").GetInt32());

        await Registry.CreateSensorAsync(Admin,
            new SensorInput("ing.north.x1.occ", "ing.north.x1", MetricKind.Occupancy, "%", 0, 100, 10, 52.52, 13.42), Ct);

        var response = await gateway.PostAsync("/api/v1/readings", Readings("ing.north.x1.occ", 3, 4), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        var sensorId = await ScalarAsync<int>("SELECT id FROM sensors WHERE key = $1", "ing.north.x1.occ");
        await _app.Services.GetRequiredService<RollupWorker>().FlushAsync(Ct);
        Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM readings WHERE sensor_id = $1", sensorId));
    }

    [Fact]
    public async Task UpdateSensorAsync_NewRange_CatalogAndAlertEngineSeeIt()
    {
        await NewSiteAsync("rng");
        var input = new SensorInput("rng.north.x1.speed", "rng.north.x1", MetricKind.TrafficSpeed, "km/h", 0, 250, 5, null, null);

        await Registry.UpdateSensorAsync(Admin, input.Key, input, Ct);

        Assert.True(_app.Services.GetRequiredService<SensorCatalog>().TryGet(input.Key, out var info));
        Assert.Equal(250, info.Max);
        // The catalog's location falls back to the asset's when the sensor has none.
        Assert.Equal(52.52, info.Latitude);
    }

    [Fact]
    public async Task CreateSensorAsync_InvalidInput_RefusedWithAMessagePerField()
    {
        await NewSiteAsync("val");

        var error = await Assert.ThrowsAsync<RegistryValidationException>(() => Registry.CreateSensorAsync(Admin,
            new SensorInput("Val North!", "val.north.x1", MetricKind.TrafficSpeed, " ", 10, 5, 0, 95, null), Ct));

        var fields = error.Errors.Select(e => e.Field).ToHashSet();
        Assert.Contains(error.Errors, e => e.Field == "max" && e.Message.Contains("greater than min"));
        Assert.Contains(error.Errors, e => e.Field == "key" && e.Message.Contains("lower-case"));
        Assert.All(["key", "unit", "max", "intervalSeconds", "longitude"], f => Assert.Contains(f, fields));
        await using var db = await DbAsync();
        Assert.Equal(1, await db.Sensors.CountAsync(s => s.Asset!.Site!.Key == "val", Ct));
    }

    [Theory]
    [InlineData("Europe/Atlantis")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("")]
    public async Task CreateSiteAsync_NotAnIanaTimeZone_Refused(string zone)
    {
        var error = await Assert.ThrowsAsync<RegistryValidationException>(() =>
            Registry.CreateSiteAsync(Admin, new SiteInput("tz" + zone.Length, "Zone test", SiteKind.City, 1, 1, 10, zone), Ct));

        Assert.Equal("timeZone", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public async Task CreateAssetAsync_KeyTaken_RefusedAndNothingAdded()
    {
        await NewSiteAsync("dup");

        var error = await Assert.ThrowsAsync<RegistryValidationException>(() =>
            Registry.CreateAssetAsync(Admin, new AssetInput("dup.north", "dup", null, "Another north", AssetType.District, 52, 13), Ct));

        Assert.Contains("already exists", Assert.Single(error.Errors).Message);
    }

    [Fact]
    public async Task MoveAssetAsync_UnderItsOwnDescendant_RefusedAsALoop()
    {
        await NewSiteAsync("cyc");

        var error = await Assert.ThrowsAsync<RegistryValidationException>(() => Registry.MoveAssetAsync(Admin, "cyc.north", "cyc.north.x1", Ct));

        Assert.Contains("loop", Assert.Single(error.Errors).Message);
        var tree = await Registry.GetTreeAsync(Ct);
        Assert.Equal("cyc.north", tree.FindAsset("cyc.north.x1")!.Asset.ParentKey);
        Assert.Null(tree.FindAsset("cyc.north")!.Asset.ParentKey);
    }

    [Fact]
    public async Task MoveAssetAsync_ParentOnAnotherSite_Refused()
    {
        await NewSiteAsync("sa");
        await NewSiteAsync("sb");

        var error = await Assert.ThrowsAsync<RegistryValidationException>(() => Registry.MoveAssetAsync(Admin, "sa.north.x1", "sb.north", Ct));

        Assert.Contains("same site", Assert.Single(error.Errors).Message);
    }

    [Fact]
    public async Task MoveAssetAsync_ValidParent_MovesAndAuditsBeforeAndAfter()
    {
        await NewSiteAsync("mv");
        await Registry.CreateAssetAsync(Admin, new AssetInput("mv.south", "mv", null, "South", AssetType.District, 52.4, 13.4), Ct);

        await Registry.MoveAssetAsync(Admin, "mv.north.x1", "mv.south", Ct);

        var tree = await Registry.GetTreeAsync(Ct);
        Assert.Equal("mv.south", tree.FindAsset("mv.north.x1")!.Asset.ParentKey);
        Assert.Equal(["mv.north.x1"], tree.FindAsset("mv.south")!.Children.Select(c => c.Asset.Key));
        await using var db = await DbAsync();
        var entry = await db.AuditLog.AsNoTracking().SingleAsync(e => e.Target == "asset:mv.north.x1" && e.Action == "asset.moved", Ct);
        Assert.Equal(AdminEmail, entry.Actor);
        Assert.Contains("\"parentKey\": \"mv.north\"", entry.Before);
        Assert.Contains("\"parentKey\": \"mv.south\"", entry.After);
        // The live roll-ups follow the new parent at once.
        var x1 = await db.Assets.SingleAsync(a => a.Key == "mv.north.x1", Ct);
        var south = await db.Assets.SingleAsync(a => a.Key == "mv.south", Ct);
        Assert.True(_app.Services.GetRequiredService<CityOps.Web.Features.Live.AssetTree>().IsWithin(x1.Id, south.Id));
    }

    [Fact]
    public async Task DeleteAssetAsync_WithChildren_RefusedWithExplanation()
    {
        await NewSiteAsync("ch");

        var error = await Assert.ThrowsAsync<RegistryConflictException>(() => Registry.DeleteAssetAsync(Admin, "ch.north", withEquipment: true, Ct));

        Assert.Contains("1 child asset", error.Message);
        Assert.NotNull((await Registry.GetTreeAsync(Ct)).FindAsset("ch.north"));
    }

    [Fact]
    public async Task DeleteAssetAsync_WithSensors_PlanCountsHistoryAndDeletionKeepsReadingsAndAlarms()
    {
        await NewSiteAsync("del");
        const string key = "del.north.x1.speed";
        var accepted = await DemoGateway().PostAsync("/api/v1/readings", Readings(key, 40, 41, 42), Ct);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await _app.Services.GetRequiredService<RollupWorker>().FlushAsync(Ct);
        var sensorId = await ScalarAsync<int>("SELECT id FROM sensors WHERE key = $1", key);
        await using (var db = await DbAsync())
        {
            db.Alarms.Add(new Alarm
            {
                RuleKey = "r", RuleName = "Speed low", SourceKey = key, SensorKey = key, SensorId = sensorId, AssetKey = "del.north.x1",
                SiteKey = "del", Area = "del.north", Message = "Speed low", RaisedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(Ct);
        }

        var plan = await Registry.PlanAssetDeletionAsync("del.north.x1", Ct);
        var refused = await Assert.ThrowsAsync<RegistryConflictException>(() => Registry.DeleteAssetAsync(Admin, "del.north.x1", withEquipment: false, Ct));
        await Registry.DeleteAssetAsync(Admin, "del.north.x1", withEquipment: true, Ct);

        Assert.Equal([key], plan.SensorKeys);
        Assert.Equal(3, plan.RawReadings);
        Assert.True(plan.MinuteRollups >= 1);
        Assert.True(plan.HourlyRollups >= 1);
        Assert.Equal(1, plan.Alarms);
        Assert.Contains("3 raw reading(s)", plan.Explanation);
        Assert.Contains("after 30 days", plan.Explanation);
        Assert.Equal(plan.Explanation, refused.Message);
        // What the explanation promised: the history stays, the alarm stays, the sensor and asset are gone.
        Assert.Equal(3L, await ScalarAsync<long>("SELECT count(*) FROM readings WHERE sensor_id = $1", sensorId));
        Assert.Equal(plan.HourlyRollups, await ScalarAsync<long>("SELECT count(*) FROM rollup_1h WHERE sensor_id = $1", sensorId));
        await using (var db = await DbAsync())
        {
            Assert.False(await db.Sensors.AnyAsync(s => s.Key == key, Ct));
            Assert.False(await db.Assets.AnyAsync(a => a.Key == "del.north.x1", Ct));
            Assert.Equal(key, (await db.Alarms.SingleAsync(a => a.AssetKey == "del.north.x1", Ct)).SensorKey);
            Assert.Equal(["asset.deleted", "sensor.deleted"],
                await db.AuditLog.Where(e => e.Target == "asset:del.north.x1" || e.Target == "sensor:" + key).Where(e => e.After == null)
                    .OrderBy(e => e.Action).Select(e => e.Action).ToListAsync(Ct));
        }
        var after = await DemoGateway().PostAsync("/api/v1/readings", Readings(key, 43), Ct);
        Assert.Equal(0, (await after.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accepted").GetInt32());
        var series = await DemoGateway().GetAsync($"/api/v1/sensors/{key}/series", Ct);
        Assert.Equal(HttpStatusCode.NotFound, series.StatusCode);
    }

    [Fact]
    public async Task AnyChange_ByANonAdministrator_IsRefused()
    {
        var manager = User("manager@cityops.local", Roles.Manager);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            Registry.CreateSiteAsync(manager, new SiteInput("nope", "Nope", SiteKind.City, 1, 1, 10, "UTC"), Ct));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Csv.ApplySensorsAsync(manager, RegistryCsv.ParseSensors(new StringReader("key\n")), null, Ct));

        await using var db = await DbAsync();
        Assert.False(await db.Sites.AnyAsync(s => s.Key == "nope", Ct));
    }

    [Fact]
    public async Task ImportSensors_FileWithBadRows_PreviewListsRowErrorsAndApplyWritesOnlyValidRows()
    {
        await NewSiteAsync("imp");
        const string file = """
            key,asset_key,metric,unit,min,max,interval_seconds,latitude,longitude
            imp.north.x1.occ,imp.north.x1,Occupancy,%,0,100,5,,
            imp.north.x1.bad1,imp.north.x1,Occupancy,%,100,0,5,,
            imp.north.x1.bad2,imp.nowhere,Occupancy,%,0,100,5,,
            imp.north.x1.bad3,imp.north.x1,Wind,%,0,1e2,abc,,
            imp.north.x1.speed,imp.north.x1,TrafficSpeed,km/h,0,160,5,52.6,13.5
            """;

        var preview = await Csv.PreviewSensorsAsync(RegistryCsv.ParseSensors(new StringReader(file)), Ct);
        await using (var db = await DbAsync())
        {
            Assert.False(await db.Sensors.AnyAsync(s => s.Key == "imp.north.x1.occ", Ct));
        }
        var applied = await Csv.ApplySensorsAsync(Admin, RegistryCsv.ParseSensors(new StringReader(file)), null, Ct);

        Assert.False(preview.Applied);
        Assert.Equal([ImportAction.Create, ImportAction.Invalid, ImportAction.Invalid, ImportAction.Invalid, ImportAction.Update],
            preview.Rows.Select(r => r.Action));
        Assert.Contains(new ImportError(3, "max", "Max (0) must be greater than min (100)."), preview.Errors);
        Assert.Contains(preview.Errors, e => e is { Row: 4, Column: "asset_key" } && e.Message.Contains("imp.nowhere"));
        Assert.Contains(preview.Errors, e => e is { Row: 5, Column: "metric" });
        Assert.Contains(preview.Errors, e => e is { Row: 5, Column: "interval_seconds" });
        Assert.True(applied.Applied);
        Assert.Equal((1, 1, 3), (applied.Created, applied.Updated, applied.Invalid));
        var catalog = _app.Services.GetRequiredService<SensorCatalog>();
        Assert.True(catalog.TryGet("imp.north.x1.occ", out _));
        Assert.True(catalog.TryGet("imp.north.x1.speed", out var speed));
        Assert.Equal(160, speed.Max);
        Assert.False(catalog.TryGet("imp.north.x1.bad1", out _));
        await using (var db = await DbAsync())
        {
            var audit = await db.AuditLog.AsNoTracking().Where(e => e.Reason == "CSV import").Select(e => e.Action).ToListAsync(Ct);
            Assert.Equal(["sensor.created", "sensor.updated", "sensors.imported"], audit.Order().ToList());
        }
    }

    [Fact]
    public async Task ImportAssets_ChildBeforeParentAndLoop_OrdersParentsFirstAndRefusesTheLoop()
    {
        await NewSiteAsync("tree");
        const string file = """
            key,site_key,parent_key,name,type,latitude,longitude
            tree.east.x9,tree,tree.east,Crossing 9,Intersection,52.5,13.5
            tree.east,tree,,East,District,52.5,13.5
            tree.north,tree,tree.north.x1,North,District,52.51,13.41
            tree.elsewhere,nosuchsite,,Elsewhere,District,52.5,13.5
            """;

        var report = await Csv.ApplyAssetsAsync(Admin, RegistryCsv.ParseAssets(new StringReader(file)), null, Ct);

        Assert.Equal([ImportAction.Create, ImportAction.Create, ImportAction.Invalid, ImportAction.Invalid], report.Rows.Select(r => r.Action));
        Assert.Contains(report.Errors, e => e is { Row: 4, Column: "parent_key" } && e.Message.Contains("loop"));
        Assert.Contains(report.Errors, e => e is { Row: 5, Column: "site_key" });
        var tree = await Registry.GetTreeAsync(Ct);
        Assert.Equal("tree.east", tree.FindAsset("tree.east.x9")!.Asset.ParentKey);
        Assert.Null(tree.FindAsset("tree.north")!.Asset.ParentKey);
    }

    [Fact]
    public async Task Export_ImportedBack_ChangesNothing()
    {
        await NewSiteAsync("rt");
        await Registry.CreateSensorAsync(Admin,
            new SensorInput("rt.north.x1.flow", "rt.north.x1", MetricKind.Flow, "m³/h", -0.1, 1234.5678, 0.5, 52.123456789, 13.987654321), Ct);
        var assets = await Csv.ExportAssetsAsync(Ct);
        var sensors = await Csv.ExportSensorsAsync(Ct);
        var auditBefore = await ScalarAsync<long>("SELECT count(*) FROM audit_log");

        var assetReport = await Csv.ApplyAssetsAsync(Admin, RegistryCsv.ParseAssets(new StringReader(assets)), null, Ct);
        var sensorReport = await Csv.ApplySensorsAsync(Admin, RegistryCsv.ParseSensors(new StringReader(sensors)), null, Ct);

        Assert.Empty(assetReport.Errors);
        Assert.Empty(sensorReport.Errors);
        Assert.All(assetReport.Rows.Concat(sensorReport.Rows), r => Assert.Equal(ImportAction.Unchanged, r.Action));
        Assert.Contains(sensorReport.Rows, r => r.Key == "rt.north.x1.flow");
        Assert.Equal(auditBefore, await ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        Assert.Equal(sensors, await Csv.ExportSensorsAsync(Ct));
        Assert.StartsWith("key,asset_key,metric,unit,min,max,interval_seconds,latitude,longitude", sensors);
    }

    [Fact]
    public async Task AdminApi_SignedInAdministrator_ExportsImportsAndExplainsRefusals()
    {
        await NewSiteAsync("api");
        var client = _app.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, AdminEmail, AdminPassword);

        var export = await client.GetAsync("/api/v1/admin/assets/export/sensors.csv", Ct);
        var csv = await export.Content.ReadAsStringAsync(Ct);
        var dryRun = await client.PostAsync("/api/v1/admin/assets/import/sensors?dryRun=true",
            new StringContent(csv.Replace(",0,130,", ",130,0,"), Encoding.UTF8, "text/csv"), Ct);
        var delete = await client.DeleteAsync("/api/v1/admin/assets/assets/api.north", Ct);
        var create = await client.PostAsJsonAsync("/api/v1/admin/assets/sensors",
            new { key = "api.north.x1.volt", assetKey = "api.north.x1", metric = "Voltage", unit = "V", min = 0, max = 400, intervalSeconds = 60 }, Ct);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        Assert.Contains("api.north.x1.speed,api.north.x1,TrafficSpeed,km/h,0,130,5,,", csv);
        var preview = await dryRun.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(preview.GetProperty("applied").GetBoolean());
        Assert.Equal("max", preview.GetProperty("errors")[0].GetProperty("column").GetString());
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("child asset", await delete.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.True(_app.Services.GetRequiredService<SensorCatalog>().TryGet("api.north.x1.volt", out _));
    }
}
