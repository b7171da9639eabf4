namespace CityOps.Benchmarks;

internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        return args switch
        {
            ["ingest", ..] => await new IngestBenchmark(IngestBenchmarkOptions.Parse(args[1..])).RunAsync(),
            [HubClientFleet.Command, ..] => await HubClientFleet.RunChildAsync(args[1..]),
            ["live", ..] => await new LiveBenchmark(LiveBenchmarkOptions.Parse(args[1..])).RunAsync(),
            ["skab", ..] => await new SkabBenchmark(SkabBenchmarkOptions.Parse(args[1..])).RunAsync(),
            ["nab", ..] => await new NabBenchmark(NabBenchmarkOptions.Parse(args[1..])).RunAsync(),
            ["alarm-latency", ..] => await new AlarmLatencyBenchmark(AlarmLatencyOptions.Parse(args[1..])).RunAsync(),
            ["demo-day", ..] => await new DemoDayBenchmark(DemoDayOptions.Parse(args[1..])).RunAsync(),
            ["rule-replay", ..] => await new RuleReplayBenchmark(RuleReplayOptions.Parse(args[1..])).RunAsync(),
            ["backtest", ..] => await new BacktestBenchmark(BacktestBenchmarkOptions.Parse(args[1..])).RunAsync(),
            ["kpi", ..] => await new KpiBenchmark(KpiBenchmarkOptions.Parse(args[1..])).RunAsync(),
            _ => await UsageAsync(),
        };
    }

    private static async Task<int> UsageAsync()
    {
        await Console.Error.WriteLineAsync("usage: CityOps.Benchmarks ingest [--readings N] [--sensors N] [--naive-cap N] [--batch N] [--concurrency N]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks live [--part all|fanout|history] [--sensors N] [--max-rate N] [--rate N] [--seconds N] [--clients N] [--repeat N] [--warm-up SECONDS] [--batch N] [--concurrency N] [--history-runs N]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks skab [--data DIR] [--verbose] [--variance X] [--components N] [--confidence X] [--quantile X|none] [--factor X] [--smoothing N] [--statistic T2|Q|Either|Combined] [--spread X]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks nab --data DIR --out DIR");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks alarm-latency [--sensors N] [--rate N] [--crossings N] [--interval-ms N] [--batch N] [--concurrency N]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks demo-day [--seed N] [--warmup-days N]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks rule-replay [--days N]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks backtest [--days N] [--neighbours N] [--runs N]");
        await Console.Error.WriteLineAsync("       CityOps.Benchmarks kpi [--days N] [--interval SECONDS] [--runs N]");
        return 2;
    }
}
