using CityOps.Web.Features.Plant;
using CityOps.Web.Features.SensorDetail;

namespace CityOps.Web.Features.ControlRoom;

public static class ControlRoomExtensions
{
    /// <summary>The live operator screens: control room map, plant view, asset and sensor detail.</summary>
    public static void AddControlRoom(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MapOptions>().Bind(builder.Configuration.GetSection(MapOptions.Section));
        builder.Services.AddSingleton<IScreenDirectory, ScreenDirectory>();
        builder.Services.AddSingleton<IPlantLayouts, PlantLayouts>();
        builder.Services.AddSingleton<ISensorHistory, SensorHistory>();
    }
}
