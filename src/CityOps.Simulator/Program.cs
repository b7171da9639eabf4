using CityOps.Simulator.Cli;

var parsed = FleetCommandLine.Parse(args, Environment.GetEnvironmentVariable(FleetCommandLine.ApiKeyVariable));
if (parsed.HelpRequested)
{
    Console.WriteLine(FleetCommandLine.Usage);
    return 0;
}
if (parsed.Command is null)
{
    Console.Error.WriteLine(parsed.Error);
    Console.Error.WriteLine();
    Console.Error.WriteLine(FleetCommandLine.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
return await new FleetRunner(parsed.Command, Console.Out, TimeProvider.System).RunAsync(cancellationToken: stop.Token);
