using CityOps.Simulator;
using static CityOps.Tests.Simulator.SimTestKit;

namespace CityOps.Tests.Simulator;

public sealed class ActuatorTests
{
    private static readonly CityOps.Simulator.World.WorldDefinition World = DemoWorld.Create();

    [Fact]
    public void SetActuator_LowerLineSpeed_CoolsTheMotorComparedWithNoAction()
    {
        var twin = new Twin(World, 31, Tuesday(9));
        var noAction = twin.Clone();

        twin.SetActuator("plant1.line1.speed", 60);
        var slowed = History(twin, Tuesday(10), TimeSpan.FromSeconds(30));
        var asBefore = History(noAction, Tuesday(10), TimeSpan.FromSeconds(30));

        const string key = "plant1.line1.press1.motor_temp";
        Assert.True(Mean(slowed, key, Tuesday(9.75), Tuesday(10)) < Mean(asBefore, key, Tuesday(9.75), Tuesday(10)) - 5);
        Assert.True(Mean(slowed, "plant1.line1.press1.current", Tuesday(9.75), Tuesday(10)) < Mean(asBefore, "plant1.line1.press1.current", Tuesday(9.75), Tuesday(10)));
        // Other lines do not notice.
        Assert.Equal(Mean(asBefore, "plant1.line2.mill1.motor_temp", Tuesday(9.75), Tuesday(10)), Mean(slowed, "plant1.line2.mill1.motor_temp", Tuesday(9.75), Tuesday(10)), 6);
    }

    [Fact]
    public void SetActuator_OpenBypassValveDuringLeak_RestoresPressure()
    {
        var twin = new Twin(World, 32, Tuesday(18));
        twin.InjectFault(new FaultSpec(FaultKind.Leak, "city.eastfield.wz", TimeSpan.FromHours(2)));
        var healthy = new Twin(World, 32, Tuesday(18));
        History(twin, Tuesday(18.5), TimeSpan.FromSeconds(10));
        History(healthy, Tuesday(18.5), TimeSpan.FromSeconds(10));
        var noAction = twin.Clone();

        twin.SetActuator("city.eastfield.wz.bypass", 100);
        var opened = History(twin, Tuesday(19), TimeSpan.FromSeconds(10));
        var leaking = History(noAction, Tuesday(19), TimeSpan.FromSeconds(10));
        var normal = History(healthy, Tuesday(19), TimeSpan.FromSeconds(10));

        const string key = "city.eastfield.wz.pressure_cp";
        var withValve = Mean(opened, key, Tuesday(18.5), Tuesday(19));
        var withoutValve = Mean(leaking, key, Tuesday(18.5), Tuesday(19));
        Assert.True(withValve > withoutValve + 0.3, $"{withValve:F2} vs {withoutValve:F2} bar");
        Assert.True(withValve >= Mean(normal, key, Tuesday(18.5), Tuesday(19)) - 0.05);
    }

    [Fact]
    public void SetActuator_LongerGreen_ClearsTheQueueFaster()
    {
        var twin = new Twin(World, 33, Tuesday(7));
        twin.InjectFault(new FaultSpec(FaultKind.Congestion, "city.market.x2", TimeSpan.FromMinutes(40)));
        History(twin, Tuesday(7).AddMinutes(40), TimeSpan.FromSeconds(10));
        var noAction = twin.Clone();

        twin.SetActuator("city.market.x2.green", 70);
        var longer = History(twin, Tuesday(8).AddMinutes(10), TimeSpan.FromSeconds(10));
        var same = History(noAction, Tuesday(8).AddMinutes(10), TimeSpan.FromSeconds(10));

        var from = Tuesday(7).AddMinutes(50);
        var to = Tuesday(8).AddMinutes(10);
        Assert.True(Mean(longer, "city.market.x2.occupancy", from, to) < Mean(same, "city.market.x2.occupancy", from, to) - 10);
        Assert.True(Mean(longer, "city.market.x2.speed", from, to) > Mean(same, "city.market.x2.speed", from, to));
    }

    [Fact]
    public void SetActuator_DimmedStreetLighting_DrawsLessPowerAtNight()
    {
        var twin = new Twin(World, 34, Tuesday(22));
        var noAction = twin.Clone();

        twin.SetActuator("city.southbank.lc1.level", 40);
        var dimmed = twin.AdvanceTo(Tuesday(23));
        var full = noAction.AdvanceTo(Tuesday(23));

        var dimmedPower = Mean(dimmed, "city.southbank.lc1.power", Tuesday(22), Tuesday(23));
        var fullPower = Mean(full, "city.southbank.lc1.power", Tuesday(22), Tuesday(23));
        Assert.InRange(dimmedPower / fullPower, 0.35, 0.5);
        Assert.Equal(40, Mean(dimmed, "city.southbank.lc1.level", Tuesday(22), Tuesday(23)), 6);
        Assert.True(Mean(dimmed, "city.southbank.em.power", Tuesday(22), Tuesday(23)) < Mean(full, "city.southbank.em.power", Tuesday(22), Tuesday(23)));
    }

    [Fact]
    public void SetActuator_ValueOutsideRange_ThrowsAndKeepsTheValue()
    {
        var twin = new Twin(World, 1, Tuesday(9));

        Assert.Throws<ArgumentOutOfRangeException>(() => twin.SetActuator("plant1.line1.speed", 150));
        Assert.Throws<ArgumentOutOfRangeException>(() => twin.SetActuator("plant1.line1.speed", double.NaN));
        Assert.Equal(100, twin.GetActuator("plant1.line1.speed"));
    }

    [Fact]
    public void GetActuator_UnknownKey_ThrowsArgumentException()
    {
        var twin = new Twin(World, 1, Tuesday(9));

        Assert.Throws<ArgumentException>(() => twin.GetActuator("plant1.line9.speed"));
        Assert.Throws<ArgumentException>(() => twin.SetActuator("plant1.line9.speed", 80));
    }
}
