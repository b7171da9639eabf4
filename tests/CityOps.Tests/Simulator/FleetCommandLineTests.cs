using CityOps.Simulator.Cli;

namespace CityOps.Tests.Simulator;

public sealed class FleetCommandLineTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("2h", 7200)]
    [InlineData("30d", 2_592_000)]
    [InlineData("1.5h", 5400)]
    [InlineData("500ms", 0.5)]
    [InlineData("45", 45)]
    [InlineData("00:02:00", 120)]
    public void TryParseDuration_WithUnit_ReturnsTheDuration(string text, double seconds)
    {
        Assert.True(FleetCommandLine.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ten minutes")]
    [InlineData("-5s")]
    [InlineData("5x")]
    public void TryParseDuration_Garbage_ReturnsFalse(string text)
    {
        Assert.False(FleetCommandLine.TryParseDuration(text, out _));
    }

    [Fact]
    public void Parse_AllOptions_FillsTheCommand()
    {
        var result = FleetCommandLine.Parse(["--target", "http://localhost:5000", "--api-key", "abc", "--rate", "5000", "--duration", "90s",
            "--seed", "42", "--backfill", "30d", "--batch", "2000", "--concurrency", "8", "--backfill-interval=5m", "--demo-faults"]);

        var command = Assert.IsType<FleetCommand>(result.Command);
        Assert.Equal(new Uri("http://localhost:5000"), command.Target);
        Assert.Equal("abc", command.ApiKey);
        Assert.Equal(5000, command.Rate);
        Assert.Equal(TimeSpan.FromSeconds(90), command.Duration);
        Assert.Equal(42, command.Seed);
        Assert.Equal(TimeSpan.FromDays(30), command.Backfill);
        Assert.Equal(TimeSpan.FromMinutes(5), command.BackfillInterval);
        Assert.Equal(2000, command.BatchSize);
        Assert.Equal(8, command.Concurrency);
        Assert.True(command.DemoFaults);
    }

    [Fact]
    public void Parse_OnlyRequiredOptions_UsesDefaults()
    {
        var command = FleetCommandLine.Parse(["--target", "https://cityops.example", "--api-key", "abc"]).Command!;

        Assert.Null(command.Rate);
        Assert.Null(command.Duration);
        Assert.Null(command.Backfill);
        Assert.Null(command.SyntheticSensors);
        Assert.Equal(TimeSpan.FromSeconds(60), command.BackfillInterval);
        Assert.Equal(1, command.Seed);
        Assert.Equal(1000, command.BatchSize);
        Assert.Equal(4, command.Concurrency);
    }

    [Fact]
    public void Parse_ApiKeyFromEnvironment_IsUsedUnlessGiven()
    {
        Assert.Equal("env", FleetCommandLine.Parse(["--target", "http://h"], "env").Command!.ApiKey);
        Assert.Equal("arg", FleetCommandLine.Parse(["--target", "http://h", "--api-key", "arg"], "env").Command!.ApiKey);
    }

    [Theory]
    [InlineData("--api-key k", "--target")]
    [InlineData("--target http://h", "--api-key")]
    [InlineData("--target ftp://h --api-key k", "http")]
    [InlineData("--target http://h --api-key k --duration soon", "--duration")]
    [InlineData("--target http://h --api-key k --batch 20000", "--batch")]
    [InlineData("--target http://h --api-key k --rate", "needs a value")]
    [InlineData("--target http://h --api-key k --frobnicate 1", "Unknown option")]
    public void Parse_Invalid_ReturnsAnErrorNamingTheProblem(string line, string expected)
    {
        var result = FleetCommandLine.Parse(line.Split(' '));

        Assert.Null(result.Command);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void Parse_Help_RequestsHelp()
    {
        Assert.True(FleetCommandLine.Parse(["--help"]).HelpRequested);
    }
}
