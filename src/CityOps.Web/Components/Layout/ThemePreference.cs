namespace CityOps.Web.Components.Layout;

/// <summary>
/// The light/dark choice, kept per browser in a cookie so the server renders the right theme on the
/// first paint (no flash). Dark is the default: control rooms are dim.
/// </summary>
public static class ThemePreference
{
    public const string CookieName = "cityops-theme";
    public const string CascadingName = "DarkMode";

    public static bool IsDark(HttpRequest request) => request.Cookies[CookieName] != "light";
}
