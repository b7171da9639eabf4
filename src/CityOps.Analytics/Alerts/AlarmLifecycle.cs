namespace CityOps.Analytics.Alerts;

/// <summary>ISA-18.2 / IEC 62682 alarm states; the names mirror the web app's stored AlarmState.</summary>
public enum LifecycleState
{
    Normal,
    ActiveUnacknowledged,
    ActiveAcknowledged,
    ReturnedUnacknowledged,
    Shelved,
    SuppressedByDesign,
    OutOfService,
}

/// <summary>Where an alarm stands: its lifecycle state and, independently, whether its process condition holds.</summary>
/// <param name="ShelvedUntil">Set while <see cref="LifecycleState.Shelved"/>.</param>
public readonly record struct AlarmStatus(LifecycleState State, bool ConditionActive, DateTime? ShelvedUntil = null)
{
    public static AlarmStatus Normal { get; } = new(LifecycleState.Normal, false);

    /// <summary>Shelved, suppressed and out-of-service alarms are hidden from the operator; their condition is still tracked.</summary>
    public bool Hidden => State is LifecycleState.Shelved or LifecycleState.SuppressedByDesign or LifecycleState.OutOfService;
}

/// <summary>The outcome of asking for a transition: the new status, or the reason it is not allowed.</summary>
public readonly record struct Transition(bool Allowed, AlarmStatus Status, string? Rejection)
{
    public static Transition To(AlarmStatus status) => new(true, status, null);

    public static Transition Rejected(AlarmStatus unchanged, string reason) => new(false, unchanged, reason);
}

/// <summary>
/// The operator-facing ISA-18.2 alarm lifecycle as pure functions of an <see cref="AlarmStatus"/>: every allowed
/// transition yields the new status, every other one is rejected with a reason an operator can read. While an
/// alarm is hidden (shelved, suppressed by design, out of service) its condition is still followed, so that when it
/// comes back it comes back as what the process says now: unacknowledged if the condition holds, normal if not.
/// </summary>
public static class AlarmLifecycle
{
    /// <summary>The process condition started (again).</summary>
    public static Transition ConditionRaised(AlarmStatus s)
    {
        if (s.ConditionActive)
        {
            return Transition.Rejected(s, "The alarm condition is already active.");
        }
        return s.State switch
        {
            LifecycleState.Normal or LifecycleState.ReturnedUnacknowledged =>
                Transition.To(new AlarmStatus(LifecycleState.ActiveUnacknowledged, true)),
            _ when s.Hidden => Transition.To(s with { ConditionActive = true }),
            _ => Transition.Rejected(s, $"An alarm in state {s.State} cannot have an inactive condition."),
        };
    }

    /// <summary>The process condition ended.</summary>
    public static Transition ConditionCleared(AlarmStatus s)
    {
        if (!s.ConditionActive)
        {
            return Transition.Rejected(s, "The alarm condition is not active.");
        }
        return s.State switch
        {
            LifecycleState.ActiveUnacknowledged => Transition.To(new AlarmStatus(LifecycleState.ReturnedUnacknowledged, false)),
            LifecycleState.ActiveAcknowledged => Transition.To(AlarmStatus.Normal),
            _ when s.Hidden => Transition.To(s with { ConditionActive = false }),
            _ => Transition.Rejected(s, $"An alarm in state {s.State} cannot have an active condition."),
        };
    }

    /// <summary>An operator acknowledges: active alarms stay active, alarms whose condition is gone become history.</summary>
    public static Transition Acknowledge(AlarmStatus s) => s.State switch
    {
        LifecycleState.ActiveUnacknowledged => Transition.To(s with { State = LifecycleState.ActiveAcknowledged }),
        LifecycleState.ReturnedUnacknowledged => Transition.To(AlarmStatus.Normal),
        LifecycleState.ActiveAcknowledged => Transition.Rejected(s, "The alarm is already acknowledged."),
        LifecycleState.Normal => Transition.Rejected(s, "The alarm has returned to normal and is acknowledged."),
        _ => Transition.Rejected(s, $"A {Describe(s.State)} alarm cannot be acknowledged."),
    };

    /// <summary>
    /// An operator shelves a standing alarm until <paramref name="now"/> + <paramref name="duration"/>, which must be
    /// positive and at most <paramref name="maxDuration"/>, with a reason.
    /// </summary>
    public static Transition Shelve(AlarmStatus s, DateTime now, TimeSpan duration, TimeSpan maxDuration, string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Transition.Rejected(s, "Shelving needs a reason.");
        }
        if (duration <= TimeSpan.Zero)
        {
            return Transition.Rejected(s, "The shelving time must be positive.");
        }
        if (duration > maxDuration)
        {
            return Transition.Rejected(s, $"An alarm can be shelved for at most {maxDuration:g}.");
        }
        return s.State switch
        {
            LifecycleState.ActiveUnacknowledged or LifecycleState.ActiveAcknowledged or LifecycleState.ReturnedUnacknowledged =>
                Transition.To(s with { State = LifecycleState.Shelved, ShelvedUntil = now + duration }),
            LifecycleState.Normal => Transition.Rejected(s, "An alarm that has returned to normal cannot be shelved."),
            LifecycleState.Shelved => Transition.Rejected(s, "The alarm is already shelved."),
            _ => Transition.Rejected(s, $"A {Describe(s.State)} alarm cannot be shelved."),
        };
    }

    /// <summary>An operator unshelves before the shelving time runs out.</summary>
    public static Transition Unshelve(AlarmStatus s) =>
        s.State == LifecycleState.Shelved ? Transition.To(Reveal(s)) : Transition.Rejected(s, "The alarm is not shelved.");

    /// <summary>The clock passed <paramref name="now"/>: a shelved alarm whose time ran out comes back.</summary>
    public static Transition ShelveExpired(AlarmStatus s, DateTime now)
    {
        if (s.State != LifecycleState.Shelved)
        {
            return Transition.Rejected(s, "The alarm is not shelved.");
        }
        if (s.ShelvedUntil is { } until && now < until)
        {
            return Transition.Rejected(s, $"The alarm is shelved until {until:u}.");
        }
        return Transition.To(Reveal(s));
    }

    /// <summary>
    /// The process state makes the alarm meaningless (its line is stopped). A normal alarm may be suppressed so that
    /// a condition that starts while the line is stopped is recorded hidden.
    /// </summary>
    public static Transition Suppress(AlarmStatus s) => s.State switch
    {
        LifecycleState.Normal or LifecycleState.ActiveUnacknowledged or LifecycleState.ActiveAcknowledged or LifecycleState.ReturnedUnacknowledged =>
            Transition.To(s with { State = LifecycleState.SuppressedByDesign, ShelvedUntil = null }),
        LifecycleState.SuppressedByDesign => Transition.Rejected(s, "The alarm is already suppressed."),
        _ => Transition.Rejected(s, $"A {Describe(s.State)} alarm cannot be suppressed."),
    };

    /// <summary>The process state no longer suppresses the alarm.</summary>
    public static Transition Unsuppress(AlarmStatus s) =>
        s.State == LifecycleState.SuppressedByDesign ? Transition.To(Reveal(s)) : Transition.Rejected(s, "The alarm is not suppressed.");

    /// <summary>Taken out of service (maintenance, its rule disabled), from any state, with a reason.</summary>
    public static Transition RemoveFromService(AlarmStatus s, string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Transition.Rejected(s, "Taking an alarm out of service needs a reason.");
        }
        return s.State == LifecycleState.OutOfService
            ? Transition.Rejected(s, "The alarm is already out of service.")
            : Transition.To(s with { State = LifecycleState.OutOfService, ShelvedUntil = null });
    }

    /// <summary>Returned to service: it comes back as the condition says.</summary>
    public static Transition ReturnToService(AlarmStatus s) =>
        s.State == LifecycleState.OutOfService ? Transition.To(Reveal(s)) : Transition.Rejected(s, "The alarm is not out of service.");

    /// <summary>
    /// A hidden alarm comes back: unacknowledged if its condition still holds (the operator has not seen it while it
    /// was hidden), history if not.
    /// </summary>
    private static AlarmStatus Reveal(AlarmStatus s) =>
        s.ConditionActive ? new AlarmStatus(LifecycleState.ActiveUnacknowledged, true) : AlarmStatus.Normal;

    private static string Describe(LifecycleState state) => state switch
    {
        LifecycleState.Shelved => "shelved",
        LifecycleState.SuppressedByDesign => "suppressed",
        LifecycleState.OutOfService => "out-of-service",
        _ => state.ToString(),
    };
}
