using CityOps.Web.Features.Accounts;
using Microsoft.AspNetCore.Diagnostics;
using MudBlazor.Services;

namespace CityOps.Web.Components;

public static class UiExtensions
{
    public static void AddUi(this WebApplicationBuilder builder)
    {
        // ./run.sh serves a build, not a publish, in the Production environment: without this the package
        // assets (MudBlazor, blazor.web.js) are only found in Development. A published app has no manifest
        // for it to read, so there it changes nothing.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<MachineRequestExceptionHandler>();
    }

    public static void UseUi(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }
        app.UseAntiforgery();
    }

    public static void MapUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    /// <summary>Programs calling the API or a hub get problem details; people get the error page.</summary>
    private sealed class MachineRequestExceptionHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            // By now the request path is already the error page's; the feature keeps the original.
            var path = context.Features.Get<IExceptionHandlerFeature>()?.Path ?? context.Request.Path;
            if (!AccountsExtensions.IsMachinePath(path))
            {
                return false;
            }
            // The exception was logged by the middleware; its message stays on the server.
            await Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "An unexpected error occurred.").ExecuteAsync(context);
            return true;
        }
    }
}
