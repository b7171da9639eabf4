using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Ingest;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

public sealed class RollupSeriesReaderTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadAsync_SeveralSensorsOneStatement_EachSensorsBucketsInOrderWithinTheRange()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync());
        var hour = new DateTimeOffset(DateTime.UtcNow.AddHours(-3).Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
        // Posted newest first, so the buckets' order on disk is not their time order.
        var response = await host.Client(host.IngestKey).PostAsync("/api/v1/readings", Json(Batch(
            (Temperature, hour.AddMinutes(61).AddSeconds(5), 9),
            (Temperature, hour.AddMinutes(2).AddSeconds(50), 30),
            (Temperature, hour.AddMinutes(2).AddSeconds(10), 10),
            (Temperature, hour.AddMinutes(1).AddSeconds(1), 4),
            (Pressure, hour.AddMinutes(2).AddSeconds(30), 7))), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await host.FlushRollupsAsync();
        var reader = host.Service<RollupSeriesReader>();
        int[] ids = [host.SensorId(Temperature), host.SensorId(Flow), host.SensorId(Pressure)];

        var minutes = await reader.ReadAsync(ids, RollupResolution.Minute, hour.UtcDateTime, hour.AddMinutes(61).UtcDateTime, Ct);
        var hours = await reader.ReadAsync(ids, RollupResolution.Hour, hour.UtcDateTime, hour.AddHours(2).UtcDateTime, Ct);

        Assert.Equal(ids, minutes.Select(s => s.SensorId));
        var temperature = minutes[0];
        Assert.Equal([hour.AddMinutes(1).UtcDateTime, hour.AddMinutes(2).UtcDateTime], temperature.Buckets);
        Assert.Equal([1L, 2L], temperature.Counts);
        Assert.Equal([4.0, 10.0], temperature.Min);
        Assert.Equal([4.0, 30.0], temperature.Max);
        Assert.Equal([4.0, 20.0], temperature.Mean);
        Assert.Equal(0, minutes[1].Count);
        Assert.Equal([hour.AddMinutes(2).UtcDateTime], minutes[2].Buckets);
        Assert.Equal([hour.UtcDateTime, hour.AddHours(1).UtcDateTime], hours[0].Buckets);
        Assert.Equal([3L, 1L], hours[0].Counts);
        Assert.Equal([44.0 / 3, 9.0], hours[0].Mean);
        Assert.Equal([1L], hours[2].Counts);
    }
}
