using CityOps.Simulator;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Demo;

/// <summary>
/// Owns demo mode's digital twin. The twin is not thread-safe, so every use goes through <see cref="Use{T}"/>;
/// callers that want to look ahead (predicted effects) work on a <see cref="Twin.Clone"/>.
/// </summary>
public sealed class DemoTwinHost(IOptions<DemoOptions> options)
{
    private readonly Lock _gate = new();
    private Twin? _twin;

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _twin is not null;
            }
        }
    }

    /// <summary>Creates the twin at <paramref name="start"/>; called once by the feed.</summary>
    internal void Start(DateTimeOffset start)
    {
        lock (_gate)
        {
            _twin = new Twin(DemoWorld.Create(), options.Value.Seed, start);
        }
    }

    /// <exception cref="InvalidOperationException">The twin has not started yet.</exception>
    public T Use<T>(Func<Twin, T> action)
    {
        lock (_gate)
        {
            return action(_twin ?? throw new InvalidOperationException("The demo twin has not started yet."));
        }
    }
}
