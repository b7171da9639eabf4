using CityOps.Simulator.Physics;

namespace CityOps.Simulator;

/// <summary>Ready-made fault scenarios for the demo world.</summary>
public static class FaultSchedules
{
    private static readonly string[] Districts = ["old_harbour", "market", "riverside", "northgate", "eastfield", "southbank", "westwood", "parkhill"];
    private static readonly string[] Machines =
    [
        "line1.press1", "line1.press2", "line1.press3", "line2.lathe1", "line2.lathe2", "line2.mill1", "line2.mill2", "line3.press", "line3.welder",
    ];

    /// <summary>
    /// One demo day of <see cref="DemoWorld"/> trouble, at least one fault of every kind, spread over the day so
    /// they rarely overlap: a night-time leak, a rush-hour incident, a bearing that wears through the day shift,
    /// a line stoppage in the late shift, and sensor faults in between. Start times are offsets from
    /// <paramref name="dayStart"/> (pass local midnight) jittered by up to ±20 minutes; targets are picked by
    /// <paramref name="seed"/>. Deterministic for a given day start and seed.
    /// </summary>
    public static IReadOnlyList<FaultSpec> DemoDay(DateTimeOffset dayStart, int seed)
    {
        var stream = Noise.Stream(seed, "demo-day");
        var pick = 0;
        T Pick<T>(T[] items) => items[(int)(Noise.Uniform(stream, pick++) * items.Length)];
        DateTimeOffset At(double hours) => dayStart.AddHours(hours).AddMinutes(Math.Round((Noise.Uniform(stream, pick++) - 0.5) * 40));
        string District() => $"{DemoWorld.CityKey}.{Pick(Districts)}";

        var intersection = Noise.Uniform(stream, pick++) < 0.5 ? "x1" : "x3";
        return
        [
            new FaultSpec(FaultKind.Leak, $"{District()}.wz", TimeSpan.FromHours(3), At(1.5)),
            new FaultSpec(FaultKind.Congestion, $"{District()}.{intersection}", TimeSpan.FromMinutes(50), At(7.5)),
            new FaultSpec(FaultKind.BearingWear, $"{DemoWorld.PlantKey}.{Pick(Machines)}", TimeSpan.FromHours(6), At(8.5)),
            new FaultSpec(FaultKind.Drift, $"{District()}.aq1.no2", TimeSpan.FromHours(3), At(10), 40),
            new FaultSpec(FaultKind.Spike, $"{District()}.wz.pressure_inlet", TimeSpan.FromSeconds(25), At(12.5), 3),
            new FaultSpec(FaultKind.Stuck, $"{District()}.x2.speed", TimeSpan.FromMinutes(60), At(13.5)),
            new FaultSpec(FaultKind.Dropout, $"{DemoWorld.PlantKey}.{Pick(Machines)}.vibration", TimeSpan.FromMinutes(20), At(15.5)),
            new FaultSpec(FaultKind.NoiseBurst, $"{District()}.wz.flow", TimeSpan.FromMinutes(30), At(17), 25),
            new FaultSpec(FaultKind.LineStoppage, $"{DemoWorld.PlantKey}.line{1 + (int)(Noise.Uniform(stream, pick++) * 3)}", TimeSpan.FromMinutes(40), At(19.5)),
            new FaultSpec(FaultKind.Congestion, $"{District()}", TimeSpan.FromMinutes(40), At(17.2), 0.5),
        ];
    }
}
