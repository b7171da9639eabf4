namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>The built web application, for tests that run it as a separate process.</summary>
public static class AppBinary
{
    /// <summary>src/CityOps.Web, the application's project folder.</summary>
    public static string ProjectDirectory => System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "..", "..", ".."));

    /// <summary>src/CityOps.Web/bin/&lt;Configuration&gt;/net10.0/CityOps.Web.dll, built alongside the tests in the same configuration.</summary>
    public static string Path
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            // tests/CityOps.IntegrationTests/bin/<Configuration>/net10.0/
            var configuration = dir.Parent!.Name;
            var root = dir;
            while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "CityOps.sln")))
            {
                root = root.Parent;
            }
            if (root is null)
            {
                throw new InvalidOperationException("CityOps.sln not found above " + AppContext.BaseDirectory);
            }
            var dll = System.IO.Path.Combine(root.FullName, "src", "CityOps.Web", "bin", configuration, "net10.0", "CityOps.Web.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing; build the solution first.");
        }
    }
}
