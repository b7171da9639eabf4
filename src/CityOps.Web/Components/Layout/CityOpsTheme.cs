using MudBlazor;

namespace CityOps.Web.Components.Layout;

/// <summary>
/// ISA-101 high-performance HMI palette: calm greys for everything normal, so that colour means
/// something is abnormal (warning amber, error red). Primary is a muted steel blue for focus and links.
/// </summary>
public static class CityOpsTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteDark = new PaletteDark
        {
            Black = "#1b1e21",
            Background = "#26292d",
            BackgroundGray = "#2d3136",
            Surface = "#30353a",
            DrawerBackground = "#2a2e33",
            DrawerText = "#d4d7da",
            DrawerIcon = "#aab0b6",
            AppbarBackground = "#1f2226",
            AppbarText = "#d4d7da",
            TextPrimary = "#dde0e3",
            TextSecondary = "#a4aab0",
            TextDisabled = "#6d737a",
            ActionDefault = "#b4babf",
            Primary = "#7f9bb3",
            PrimaryContrastText = "#111417",
            Secondary = "#8d949b",
            Info = "#7f9bb3",
            Success = "#8d949b",
            Warning = "#e0a43a",
            WarningContrastText = "#111417",
            Error = "#e5534b",
            Divider = "#41474d",
            LinesDefault = "#41474d",
            LinesInputs = "#6d737a",
            TableLines = "#41474d",
        },
        PaletteLight = new PaletteLight
        {
            Background = "#dfe1e3",
            BackgroundGray = "#d5d8db",
            Surface = "#eceef0",
            DrawerBackground = "#e4e6e8",
            DrawerText = "#2a2e33",
            DrawerIcon = "#4d545b",
            AppbarBackground = "#c8ccd0",
            AppbarText = "#1f2226",
            TextPrimary = "#1f2226",
            TextSecondary = "#4d545b",
            ActionDefault = "#4d545b",
            Primary = "#3d5a73",
            Secondary = "#5f666d",
            Info = "#3d5a73",
            Success = "#5f666d",
            Warning = "#a86400",
            Error = "#c4291f",
            Divider = "#b9bdc2",
            LinesDefault = "#b9bdc2",
            TableLines = "#b9bdc2",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "3px" },
    };
}
