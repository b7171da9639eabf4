namespace CityOps.Benchmarks;

internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["ingest", ..])
        {
            await Console.Error.WriteLineAsync("usage: CityOps.Benchmarks ingest [--readings N] [--sensors N] [--naive-cap N] [--batch N] [--concurrency N]");
            return 2;
        }
        return await new IngestBenchmark(IngestBenchmarkOptions.Parse(args[1..])).RunAsync();
    }
}
