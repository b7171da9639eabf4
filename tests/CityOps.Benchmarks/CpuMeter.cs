using System.Globalization;

namespace CityOps.Benchmarks;

/// <summary>
/// CPU seconds spent by this process and by a PostgreSQL cluster (the postmaster, its live children and the children
/// it has reaped), read from /proc. On a shared machine a throughput figure moves with the neighbours' load; the CPU
/// each reading costs moves much less, so the benchmarks report both.
/// </summary>
internal sealed class CpuMeter(string postgresDataDirectory)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    public readonly record struct Sample(double AppSeconds, double PostgresSeconds);

    /// <summary>This process (with the children it has waited for, such as psql) and the cluster, so far.</summary>
    public Sample Read() => new(ProcessSeconds(Environment.ProcessId, includeReaped: true), PostgresSeconds());

    /// <summary>"app+client 12.3 µs, postgres 4.5 µs per reading" between two samples.</summary>
    public static string PerReading(Sample before, Sample after, long readings) => string.Create(CultureInfo.InvariantCulture,
        $"CPU per reading: this process {1e6 * (after.AppSeconds - before.AppSeconds) / readings:F1} µs, postgres {1e6 * (after.PostgresSeconds - before.PostgresSeconds) / readings:F1} µs");

    /// <summary>
    /// Waits (up to two seconds) until the cluster has reaped its exited backends: a backend that has exited but not
    /// been reaped yet shows in neither the postmaster's reaped-children times nor as a live child with its times.
    /// </summary>
    public async Task SettleAsync()
    {
        for (var i = 0; i < 40 && HasUnreapedChildren(); i++)
        {
            await Task.Delay(50);
        }
    }

    private bool HasUnreapedChildren() =>
        Postmaster() is { } postmaster && Children(postmaster).Any(f => f.Stat[0] is "Z" or "X");

    private double PostgresSeconds() => Postmaster() is { } postmaster
        ? ProcessSeconds(postmaster, includeReaped: true) + Children(postmaster).Sum(c => ProcessSeconds(c.Pid, includeReaped: false))
        : double.NaN;

    private int? Postmaster()
    {
        var pidFile = Path.Combine(postgresDataDirectory, "postmaster.pid");
        return OperatingSystem.IsLinux() && File.Exists(pidFile)
            ? int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>The postmaster's children (backends and auxiliary processes) with their stat fields after the name.</summary>
    private static IEnumerable<(int Pid, string[] Stat)> Children(int postmaster)
    {
        var parent = postmaster.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && StatFields(pid) is { } f && f[1] == parent)
            {
                yield return (pid, f);
            }
        }
    }

    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; the fields after it are plain numbers.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null; // the process ended between listing and reading
        }
    }

    private static double ProcessSeconds(int pid, bool includeReaped)
    {
        if (!OperatingSystem.IsLinux() || StatFields(pid) is not { } f)
        {
            return double.NaN;
        }
        // After the command name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
        var ticks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        if (includeReaped)
        {
            ticks += long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture);
        }
        return ticks / TicksPerSecond;
    }
}
