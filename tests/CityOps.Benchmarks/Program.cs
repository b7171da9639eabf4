namespace CityOps.Benchmarks;

internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        return args switch
        {
            ["ingest", ..] => await new IngestBenchmark(IngestBenchmarkOptions.Parse(args[1..])).RunAsync(),
            ["live", ..] => await new LiveBenchmark(LiveBenchmarkOptions.Parse(args[1..])).RunAsync(),
            ["kpi", ..] => await new KpiBenchmark(KpiBenchmarkOptions.Parse(args[1..])).RunAsync(),
            _ => await UsageAsync(),
        };
    }

    private static async Task<int> UsageAsync()
    {
        await Console.Error.WriteLineAsync("usage: CityOps.Benchmarks ingest [--readings N] [--sensors N] [--naive-cap N] [--batch N] [--concurrency N]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks live [--sensors N] [--max-rate N] [--seconds N] [--clients N] [--batch N] [--concurrency N]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks kpi [--days N] [--interval SECONDS] [--runs N]");
        return 2;
    }
}
