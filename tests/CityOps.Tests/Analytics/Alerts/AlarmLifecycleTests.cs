using CityOps.Analytics.Alerts;
using static CityOps.Analytics.Alerts.LifecycleState;

namespace CityOps.Tests.Analytics.Alerts;

public class AlarmLifecycleTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 8, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Max = TimeSpan.FromHours(8);

    private static AlarmStatus S(LifecycleState state, bool active, DateTime? until = null) => new(state, active, until);

    private static AlarmStatus Allowed(Transition t)
    {
        Assert.True(t.Allowed, t.Rejection);
        Assert.Null(t.Rejection);
        return t.Status;
    }

    private static void Rejected(Transition t, AlarmStatus unchanged, string reasonPart)
    {
        Assert.False(t.Allowed);
        Assert.Equal(unchanged, t.Status);
        Assert.Contains(reasonPart, t.Rejection, StringComparison.OrdinalIgnoreCase);
    }

    // ---- condition raised ----

    [Fact]
    public void ConditionRaised_Normal_ActiveUnacknowledged() =>
        Assert.Equal(S(ActiveUnacknowledged, true), Allowed(AlarmLifecycle.ConditionRaised(AlarmStatus.Normal)));

    [Fact]
    public void ConditionRaised_ReturnedUnacknowledged_ActiveUnacknowledgedAgain() =>
        Assert.Equal(S(ActiveUnacknowledged, true), Allowed(AlarmLifecycle.ConditionRaised(S(ReturnedUnacknowledged, false))));

    [Theory]
    [InlineData(Shelved)]
    [InlineData(SuppressedByDesign)]
    [InlineData(OutOfService)]
    public void ConditionRaised_Hidden_StaysHiddenWithActiveCondition(LifecycleState state)
    {
        var until = state == Shelved ? Now.AddHours(1) : (DateTime?)null;
        Assert.Equal(S(state, true, until), Allowed(AlarmLifecycle.ConditionRaised(S(state, false, until))));
    }

    [Theory]
    [InlineData(ActiveUnacknowledged)]
    [InlineData(ActiveAcknowledged)]
    [InlineData(Shelved)]
    [InlineData(SuppressedByDesign)]
    [InlineData(OutOfService)]
    public void ConditionRaised_AlreadyActive_Rejected(LifecycleState state) =>
        Rejected(AlarmLifecycle.ConditionRaised(S(state, true)), S(state, true), "already active");

    // ---- condition cleared ----

    [Fact]
    public void ConditionCleared_ActiveUnacknowledged_ReturnedUnacknowledged() =>
        Assert.Equal(S(ReturnedUnacknowledged, false), Allowed(AlarmLifecycle.ConditionCleared(S(ActiveUnacknowledged, true))));

    [Fact]
    public void ConditionCleared_ActiveAcknowledged_Normal() =>
        Assert.Equal(AlarmStatus.Normal, Allowed(AlarmLifecycle.ConditionCleared(S(ActiveAcknowledged, true))));

    [Theory]
    [InlineData(Shelved)]
    [InlineData(SuppressedByDesign)]
    [InlineData(OutOfService)]
    public void ConditionCleared_Hidden_StaysHiddenWithInactiveCondition(LifecycleState state) =>
        Assert.Equal(S(state, false), Allowed(AlarmLifecycle.ConditionCleared(S(state, true))));

    [Theory]
    [InlineData(Normal)]
    [InlineData(ReturnedUnacknowledged)]
    [InlineData(Shelved)]
    public void ConditionCleared_NotActive_Rejected(LifecycleState state) =>
        Rejected(AlarmLifecycle.ConditionCleared(S(state, false)), S(state, false), "not active");

    // ---- acknowledge ----

    [Fact]
    public void Acknowledge_ActiveUnacknowledged_ActiveAcknowledged() =>
        Assert.Equal(S(ActiveAcknowledged, true), Allowed(AlarmLifecycle.Acknowledge(S(ActiveUnacknowledged, true))));

    [Fact]
    public void Acknowledge_ReturnedUnacknowledged_Normal() =>
        Assert.Equal(AlarmStatus.Normal, Allowed(AlarmLifecycle.Acknowledge(S(ReturnedUnacknowledged, false))));

    [Theory]
    [InlineData(ActiveAcknowledged, true, "already acknowledged")]
    [InlineData(Normal, false, "returned to normal")]
    [InlineData(Shelved, true, "shelved alarm cannot be acknowledged")]
    [InlineData(SuppressedByDesign, true, "suppressed alarm cannot be acknowledged")]
    [InlineData(OutOfService, false, "out-of-service alarm cannot be acknowledged")]
    public void Acknowledge_NotUnacknowledged_Rejected(LifecycleState state, bool active, string reason) =>
        Rejected(AlarmLifecycle.Acknowledge(S(state, active)), S(state, active), reason);

    // ---- shelve ----

    [Theory]
    [InlineData(ActiveUnacknowledged, true)]
    [InlineData(ActiveAcknowledged, true)]
    [InlineData(ReturnedUnacknowledged, false)]
    public void Shelve_StandingAlarmWithReason_ShelvedUntilNowPlusDuration(LifecycleState state, bool active) =>
        Assert.Equal(S(Shelved, active, Now.AddHours(2)),
            Allowed(AlarmLifecycle.Shelve(S(state, active), Now, TimeSpan.FromHours(2), Max, "sensor under repair")));

    [Fact]
    public void Shelve_ExactlyTheMaximum_Allowed() =>
        Assert.Equal(Now + Max, Allowed(AlarmLifecycle.Shelve(S(ActiveUnacknowledged, true), Now, Max, Max, "night shift")).ShelvedUntil);

    [Fact]
    public void Shelve_LongerThanMaximum_Rejected() =>
        Rejected(AlarmLifecycle.Shelve(S(ActiveUnacknowledged, true), Now, Max + TimeSpan.FromSeconds(1), Max, "too long"),
            S(ActiveUnacknowledged, true), "at most");

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void Shelve_DurationNotPositive_Rejected(int seconds) =>
        Rejected(AlarmLifecycle.Shelve(S(ActiveUnacknowledged, true), Now, TimeSpan.FromSeconds(seconds), Max, "why"),
            S(ActiveUnacknowledged, true), "positive");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Shelve_WithoutReason_Rejected(string? reason) =>
        Rejected(AlarmLifecycle.Shelve(S(ActiveUnacknowledged, true), Now, TimeSpan.FromHours(1), Max, reason),
            S(ActiveUnacknowledged, true), "reason");

    [Theory]
    [InlineData(Normal, false, "returned to normal")]
    [InlineData(Shelved, true, "already shelved")]
    [InlineData(SuppressedByDesign, true, "suppressed alarm cannot be shelved")]
    [InlineData(OutOfService, true, "out-of-service alarm cannot be shelved")]
    public void Shelve_NotStanding_Rejected(LifecycleState state, bool active, string reason) =>
        Rejected(AlarmLifecycle.Shelve(S(state, active), Now, TimeSpan.FromHours(1), Max, "why"), S(state, active), reason);

    // ---- unshelve and expiry ----

    [Fact]
    public void Unshelve_ConditionActive_ActiveUnacknowledged() =>
        Assert.Equal(S(ActiveUnacknowledged, true), Allowed(AlarmLifecycle.Unshelve(S(Shelved, true, Now.AddHours(1)))));

    [Fact]
    public void Unshelve_ConditionGone_Normal() =>
        Assert.Equal(AlarmStatus.Normal, Allowed(AlarmLifecycle.Unshelve(S(Shelved, false, Now.AddHours(1)))));

    [Theory]
    [InlineData(Normal)]
    [InlineData(ActiveUnacknowledged)]
    [InlineData(SuppressedByDesign)]
    [InlineData(OutOfService)]
    public void Unshelve_NotShelved_Rejected(LifecycleState state) =>
        Rejected(AlarmLifecycle.Unshelve(S(state, true)), S(state, true), "not shelved");

    [Fact]
    public void ShelveExpired_ConditionStillActive_ComesBackUnacknowledged()
    {
        // Acknowledged before shelving: the operator has not seen what happened while it was hidden.
        var shelved = Allowed(AlarmLifecycle.Shelve(S(ActiveAcknowledged, true), Now, TimeSpan.FromMinutes(30), Max, "known"));
        Assert.Equal(S(ActiveUnacknowledged, true), Allowed(AlarmLifecycle.ShelveExpired(shelved, Now.AddMinutes(30))));
    }

    [Fact]
    public void ShelveExpired_ConditionGone_Normal() =>
        Assert.Equal(AlarmStatus.Normal, Allowed(AlarmLifecycle.ShelveExpired(S(Shelved, false, Now), Now.AddSeconds(1))));

    [Fact]
    public void ShelveExpired_BeforeTheTime_Rejected() =>
        Rejected(AlarmLifecycle.ShelveExpired(S(Shelved, true, Now.AddMinutes(5)), Now), S(Shelved, true, Now.AddMinutes(5)), "shelved until");

    [Fact]
    public void ShelveExpired_NotShelved_Rejected() =>
        Rejected(AlarmLifecycle.ShelveExpired(S(ActiveAcknowledged, true), Now), S(ActiveAcknowledged, true), "not shelved");

    // ---- suppression by design ----

    [Theory]
    [InlineData(Normal, false)]
    [InlineData(ActiveUnacknowledged, true)]
    [InlineData(ActiveAcknowledged, true)]
    [InlineData(ReturnedUnacknowledged, false)]
    public void Suppress_Visible_SuppressedKeepingCondition(LifecycleState state, bool active) =>
        Assert.Equal(S(SuppressedByDesign, active), Allowed(AlarmLifecycle.Suppress(S(state, active))));

    [Theory]
    [InlineData(SuppressedByDesign, "already suppressed")]
    [InlineData(Shelved, "shelved alarm cannot be suppressed")]
    [InlineData(OutOfService, "out-of-service alarm cannot be suppressed")]
    public void Suppress_Hidden_Rejected(LifecycleState state, string reason) =>
        Rejected(AlarmLifecycle.Suppress(S(state, true)), S(state, true), reason);

    [Fact]
    public void Unsuppress_ConditionActive_ActiveUnacknowledged() =>
        Assert.Equal(S(ActiveUnacknowledged, true), Allowed(AlarmLifecycle.Unsuppress(S(SuppressedByDesign, true))));

    [Fact]
    public void Unsuppress_ConditionGone_Normal() =>
        Assert.Equal(AlarmStatus.Normal, Allowed(AlarmLifecycle.Unsuppress(S(SuppressedByDesign, false))));

    [Theory]
    [InlineData(Normal)]
    [InlineData(ActiveAcknowledged)]
    [InlineData(Shelved)]
    [InlineData(OutOfService)]
    public void Unsuppress_NotSuppressed_Rejected(LifecycleState state) =>
        Rejected(AlarmLifecycle.Unsuppress(S(state, false)), S(state, false), "not suppressed");

    // ---- out of service ----

    [Theory]
    [InlineData(Normal, false)]
    [InlineData(ActiveUnacknowledged, true)]
    [InlineData(ActiveAcknowledged, true)]
    [InlineData(ReturnedUnacknowledged, false)]
    [InlineData(Shelved, true)]
    [InlineData(SuppressedByDesign, true)]
    public void RemoveFromService_AnyOtherState_OutOfServiceKeepingCondition(LifecycleState state, bool active) =>
        Assert.Equal(S(OutOfService, active), Allowed(AlarmLifecycle.RemoveFromService(S(state, active, state == Shelved ? Now : null), "maintenance")));

    [Fact]
    public void RemoveFromService_AlreadyOut_Rejected() =>
        Rejected(AlarmLifecycle.RemoveFromService(S(OutOfService, true), "again"), S(OutOfService, true), "already out of service");

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void RemoveFromService_WithoutReason_Rejected(string? reason) =>
        Rejected(AlarmLifecycle.RemoveFromService(S(ActiveAcknowledged, true), reason), S(ActiveAcknowledged, true), "reason");

    [Fact]
    public void ReturnToService_ConditionActive_ActiveUnacknowledged() =>
        Assert.Equal(S(ActiveUnacknowledged, true), Allowed(AlarmLifecycle.ReturnToService(S(OutOfService, true))));

    [Fact]
    public void ReturnToService_ConditionGone_Normal() =>
        Assert.Equal(AlarmStatus.Normal, Allowed(AlarmLifecycle.ReturnToService(S(OutOfService, false))));

    [Theory]
    [InlineData(Normal)]
    [InlineData(ActiveUnacknowledged)]
    [InlineData(Shelved)]
    [InlineData(SuppressedByDesign)]
    public void ReturnToService_InService_Rejected(LifecycleState state) =>
        Rejected(AlarmLifecycle.ReturnToService(S(state, true)), S(state, true), "not out of service");

    [Fact]
    public void States_MirrorTheWebAppStateNames() =>
        Assert.Equal(Enum.GetNames<CityOps.Web.Features.Alerts.AlarmState>(), Enum.GetNames<LifecycleState>());
}
