using CityOps.IntegrationTests.Infrastructure;
namespace CityOps.IntegrationTests;
public class SmokeTests(PostgresFixture pg)
{
    [Fact]
    public async Task Home_Anonymous_Answers()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var client = app.CreateClient();
        var r = await client.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString());
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, ".cityops")));
    }
}
