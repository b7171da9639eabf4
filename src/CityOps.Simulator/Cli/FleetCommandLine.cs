using System.Globalization;

namespace CityOps.Simulator.Cli;

/// <summary>A parsed command line of the standalone device fleet.</summary>
/// <param name="Rate">Target readings per second overall; null runs the world at its natural rate.</param>
/// <param name="Duration">How long to run live; null runs until cancelled.</param>
/// <param name="Backfill">How much history to write before going live; null writes none.</param>
/// <param name="SyntheticSensors">Simulate a synthetic fleet of this many sensors instead of the demo world.</param>
public sealed record FleetCommand(
    Uri Target, string ApiKey, double? Rate, TimeSpan? Duration, int Seed, TimeSpan? Backfill, TimeSpan BackfillInterval,
    int BatchSize, int Concurrency, int? SyntheticSensors, bool DemoFaults, bool DryRun);

/// <summary>The outcome of parsing: a command, a request for help, or an error message for the operator.</summary>
public sealed record FleetCommandLineResult(FleetCommand? Command, bool HelpRequested, string? Error);

public static class FleetCommandLine
{
    public const string ApiKeyVariable = "CITYOPS_API_KEY";

    public const string Usage = """
        CityOps device fleet: simulates the demo city and plant (or a synthetic fleet) and sends the readings to CityOps.

        usage: CityOps.Simulator --target URL --api-key KEY [options]

          --target URL            CityOps base address, e.g. http://localhost:5000
          --api-key KEY           API key (or set CITYOPS_API_KEY)
          --rate N                readings per second overall (default: the world's natural rate)
          --duration D            run live for D, e.g. 90s, 10m, 2h (default: until Ctrl+C)
          --seed S                seed of the simulation (default 1); the same seed gives the same readings
          --backfill D            first write D of history, e.g. 30d
          --backfill-interval D   sampling of the history: at most one reading per sensor per D (default 60s)
          --batch N               readings per request, 1-10000 (default 1000)
          --concurrency N         requests in flight (default 4)
          --synthetic N           simulate N synthetic sensors bench.s00001... instead of the demo world
          --demo-faults           inject the demo-day fault schedule every simulated day (demo world only)
          --dry-run               print the plan and exit without sending
          --help                  show this text

        Durations: a number with unit ms, s, m, h or d (a bare number is seconds).
        """;

    public static FleetCommandLineResult Parse(IReadOnlyList<string> args, string? environmentApiKey = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? target = null;
        var apiKey = string.IsNullOrWhiteSpace(environmentApiKey) ? null : environmentApiKey;
        double? rate = null;
        TimeSpan? duration = null;
        TimeSpan? backfill = null;
        var backfillInterval = TimeSpan.FromSeconds(60);
        var seed = 1;
        var batch = 1000;
        var concurrency = 4;
        int? synthetic = null;
        var demoFaults = false;
        var dryRun = false;

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string? inlineValue = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = name[(eq + 1)..];
                name = name[..eq];
            }
            switch (name)
            {
                case "--help" or "-h" or "-?":
                    return new FleetCommandLineResult(null, true, null);
                case "--demo-faults":
                    demoFaults = true;
                    continue;
                case "--dry-run":
                    dryRun = true;
                    continue;
            }
            var value = inlineValue;
            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return Fail($"{name} needs a value.");
                }
                value = args[++i];
            }
            switch (name)
            {
                case "--target":
                    target = value;
                    break;
                case "--api-key":
                    apiKey = value;
                    break;
                case "--rate":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || !(r > 0) || double.IsInfinity(r))
                    {
                        return Fail($"--rate must be a positive number of readings per second, not '{value}'.");
                    }
                    rate = r;
                    break;
                case "--duration":
                    if (!TryParseDuration(value, out var d) || d <= TimeSpan.Zero)
                    {
                        return Fail($"--duration must be a positive duration such as 90s, 10m or 2h, not '{value}'.");
                    }
                    duration = d;
                    break;
                case "--backfill":
                    if (!TryParseDuration(value, out var b) || b <= TimeSpan.Zero)
                    {
                        return Fail($"--backfill must be a positive duration such as 30d, not '{value}'.");
                    }
                    backfill = b;
                    break;
                case "--backfill-interval":
                    if (!TryParseDuration(value, out var bi) || bi <= TimeSpan.Zero)
                    {
                        return Fail($"--backfill-interval must be a positive duration such as 60s or 5m, not '{value}'.");
                    }
                    backfillInterval = bi;
                    break;
                case "--seed":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
                    {
                        return Fail($"--seed must be a whole number, not '{value}'.");
                    }
                    break;
                case "--batch":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out batch) || batch is < 1 or > 10_000)
                    {
                        return Fail($"--batch must be between 1 and 10000, not '{value}'.");
                    }
                    break;
                case "--concurrency":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out concurrency) || concurrency is < 1 or > 256)
                    {
                        return Fail($"--concurrency must be between 1 and 256, not '{value}'.");
                    }
                    break;
                case "--synthetic":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
                    {
                        return Fail($"--synthetic must be a positive number of sensors, not '{value}'.");
                    }
                    synthetic = n;
                    break;
                default:
                    return Fail($"Unknown option '{name}'.");
            }
        }

        if (target is null)
        {
            return Fail("--target is required.");
        }
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return Fail($"--target must be an absolute http(s) address, not '{target}'.");
        }
        if (apiKey is null)
        {
            return Fail($"--api-key is required (or set {ApiKeyVariable}).");
        }
        if (demoFaults && synthetic is not null)
        {
            return Fail("--demo-faults applies to the demo world, not to a synthetic fleet.");
        }
        return new FleetCommandLineResult(
            new FleetCommand(uri, apiKey, rate, duration, seed, backfill, backfillInterval, batch, concurrency, synthetic, demoFaults, dryRun),
            false, null);

        static FleetCommandLineResult Fail(string message) => new(null, false, message);
    }

    /// <summary>Parses <c>500ms</c>, <c>90s</c>, <c>10m</c>, <c>2h</c>, <c>30d</c>, a bare number of seconds, or <c>hh:mm:ss</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
        }
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 1e-3),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ when text.EndsWith('d') || text.EndsWith('D') => (text[..^1], 86400.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
        {
            return false;
        }
        var seconds = value * scale;
        if (seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }
        duration = TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        return true;
    }
}
