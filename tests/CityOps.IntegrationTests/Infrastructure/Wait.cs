namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition by polling, with a deadline, instead of sleeping for a guessed time.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}.");
            }
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
