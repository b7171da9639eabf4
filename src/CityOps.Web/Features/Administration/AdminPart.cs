namespace CityOps.Web.Features.Administration;

/// <summary>A part of the administration area as its index and tabs show it.</summary>
public sealed record AdminPart(string Title, string Href, string Icon, string Description);
