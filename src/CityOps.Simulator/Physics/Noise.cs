namespace CityOps.Simulator.Physics;

/// <summary>
/// Stateless, seeded randomness: every random number is a pure function of (stream, position), so the
/// physics never depends on how often or in which chunks the twin is advanced, and a clone replays the
/// same randomness as its original.
/// </summary>
internal static class Noise
{
    /// <summary>A stable 64-bit hash of a key (FNV-1a); <see cref="string.GetHashCode()"/> is randomised per process.</summary>
    public static ulong HashKey(string key)
    {
        var h = 14695981039346656037UL;
        foreach (var c in key)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    public static ulong Stream(int seed, string key) => Mix(HashKey(key) ^ Mix((ulong)(uint)seed + 0x9E3779B97F4A7C15UL));

    public static ulong Stream(ulong parent, ulong salt) => Mix(parent ^ Mix(salt + 0x632BE59BD9B4E019UL));

    /// <summary>SplitMix64 finaliser.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public static double Uniform(ulong stream, long position) => (Mix(stream ^ Mix((ulong)position)) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box–Muller on two independent uniforms).</summary>
    public static double Gaussian(ulong stream, long position)
    {
        var h = Mix(stream ^ Mix((ulong)position));
        var u1 = ((h >> 11) + 1) * (1.0 / ((1UL << 53) + 1));
        var u2 = (Mix(h) >> 11) * (1.0 / (1UL << 53));
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Smooth noise of roughly unit variance whose correlation time is <paramref name="periodSeconds"/>:
    /// Gaussian knots every period, joined with a smoothstep so the signal has no corners.
    /// </summary>
    public static double Smooth(ulong stream, double seconds, double periodSeconds)
    {
        var x = seconds / periodSeconds;
        var k = Math.Floor(x);
        var f = x - k;
        var a = Gaussian(stream, (long)k);
        var b = Gaussian(stream, (long)k + 1);
        var s = f * f * (3 - 2 * f);
        // Interpolating halfway between two independent knots shrinks the variance to 1/2; rescale so
        // the amplitude does not pulse with the knot period.
        var norm = 1.0 / Math.Sqrt((1 - s) * (1 - s) + s * s);
        return (a + (b - a) * s) * norm;
    }
}
