using CityOps.Web.Features.Live;

namespace CityOps.Web.Features.ControlRoom;

/// <summary>
/// How every screen draws a live state (ISA-101): normal is grey, colour is kept for what needs attention.
/// Colours are the theme's CSS variables, so the map and charts follow the light/dark switch.
/// </summary>
public static class LiveStateStyle
{
    /// <summary>Every state, best first; the map's clusters show the worst of their markers.</summary>
    public static IReadOnlyList<LiveState> All { get; } = [LiveState.Normal, LiveState.Stale, LiveState.Abnormal, LiveState.Offline];

    /// <summary>The state's name in CSS classes and the map's marker data.</summary>
    public static string Name(LiveState state) => state switch
    {
        LiveState.Stale => "stale",
        LiveState.Abnormal => "abnormal",
        LiveState.Offline => "offline",
        _ => "normal",
    };

    public static string Label(LiveState state) => state switch
    {
        LiveState.Stale => "Stale data",
        LiveState.Abnormal => "Abnormal",
        LiveState.Offline => "Offline",
        _ => "Normal",
    };

    /// <summary>
    /// Normal is the theme's neutral grey; stale data is the muted information blue (the value may be
    /// outdated, not wrong); abnormal is the warning amber; offline is the error red, because an
    /// asset nobody can see is the worst case for a control room.
    /// </summary>
    public static string Colour(LiveState state) => state switch
    {
        LiveState.Stale => "var(--mud-palette-info)",
        LiveState.Abnormal => "var(--mud-palette-warning)",
        LiveState.Offline => "var(--mud-palette-error)",
        _ => "var(--mud-palette-secondary)",
    };

    public static bool NeedsAttention(LiveState state) => state != LiveState.Normal;
}
