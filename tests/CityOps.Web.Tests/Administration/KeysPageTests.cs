using System.Security.Claims;
using Bunit;
using CityOps.Web.Features.Administration.Keys;
using CityOps.Web.Features.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Web.Tests.Administration;

public class KeysPageTests : AdminPageTests
{
    private readonly FakeKeys _keys;

    public KeysPageTests()
    {
        _keys = new FakeKeys(Clock);
        Services.AddSingleton<IApiKeyAdministration>(_keys);
    }

    [Fact]
    public void Create_LabelAndScopes_SecretShownOnceWithWarningAndGoneAfterClosing()
    {
        var cut = RenderPage<KeysPage>();

        Input(cut, "key-label").Input("gateway 7");
        Input(cut, "key-scope-read").Change(true);
        cut.Find("[data-testid='key-save']").Click();

        var created = Assert.Single(_keys.Created);
        Assert.Equal(("gateway 7", ApiKeyScopes.Ingest | ApiKeyScopes.Read, (DateTime?)null), (created.Label, created.Scopes, created.ExpiresAt));
        var secret = _keys.Secrets.Single();
        Assert.Equal(secret, cut.Find("[data-testid='new-secret']").TextContent);
        Assert.Contains("shown only this once", cut.Find("[data-testid='new-secret-panel']").TextContent);
        Assert.Single(cut.FindAll("[data-testid='key-row']"));

        cut.Find("[data-testid='close-secret']").Click();

        Assert.Empty(cut.FindAll("[data-testid='new-secret-panel']"));
        Assert.DoesNotContain(secret, cut.Markup);
    }

    [Fact]
    public void Copy_SecretShown_PutsTheSecretOnTheClipboard()
    {
        var cut = RenderPage<KeysPage>();
        Input(cut, "key-label").Input("gateway");
        cut.Find("[data-testid='key-save']").Click();

        cut.Find("[data-testid='copy-secret']").Click();

        var call = JSInterop.VerifyInvoke("navigator.clipboard.writeText");
        Assert.Equal(_keys.Secrets.Single(), call.Arguments[0]);
    }

    [Fact]
    public void Revoke_Clicked_AsksFirstAndRevokesOnlyWhenConfirmed()
    {
        var id = _keys.Add("old gateway", ApiKeyScopes.Ingest);
        var cut = RenderPage<KeysPage>();

        cut.Find("[data-testid='key-revoke']").Click();
        Assert.Contains("old gateway", cut.Find("[data-testid='revoke-confirm']").TextContent);
        Assert.Contains("cannot be undone", cut.Find("[data-testid='revoke-confirm']").TextContent);
        cut.Find("[data-testid='revoke-cancel']").Click();
        Assert.Empty(_keys.Revoked);
        Assert.Empty(cut.FindAll("[data-testid='revoke-confirm']"));

        cut.Find("[data-testid='key-revoke']").Click();
        cut.Find("[data-testid='revoke-confirm-button']").Click();

        Assert.Equal([id], _keys.Revoked);
        Assert.StartsWith("revoked", cut.Find("[data-testid='key-row-status']").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid='key-revoke']"));
    }

    [Fact]
    public void Save_ServiceRefuses_ShowsItsMessageAndKeepsTheForm()
    {
        var cut = RenderPage<KeysPage>();
        Input(cut, "key-label").Input("   ");

        cut.Find("[data-testid='key-save']").Click();

        Assert.Contains("Give the key a label", cut.Find("[data-testid='keys-error']").TextContent);
        Assert.Empty(cut.FindAll("[data-testid='new-secret-panel']"));
    }

    [Fact]
    public void Render_KeyWithUse_ShowsLastUseAndRatePerMinute()
    {
        _keys.Add("busy", ApiKeyScopes.Ingest, lastUsed: new DateTime(2026, 11, 27, 9, 58, 0, DateTimeKind.Utc), requestsLastHour: 150);

        var cut = RenderPage<KeysPage>();

        Assert.Equal("2026-11-27 09:58 UTC", cut.Find("[data-testid='key-row-last-used']").TextContent.Trim());
        Assert.Equal("2.5/min", cut.Find("[data-testid='key-row-rate']").TextContent.Trim());
    }

    [Fact]
    public void Edit_ChangeScopes_SavesThroughTheService()
    {
        var id = _keys.Add("gateway", ApiKeyScopes.Ingest);
        var cut = RenderPage<KeysPage>();

        cut.Find("[data-testid='key-edit']").Click();
        Input(cut, "key-scope-ingest").Change(false);
        Input(cut, "key-scope-read").Change(true);
        cut.Find("[data-testid='key-save']").Click();

        Assert.Equal((id, ApiKeyScopes.Read), (_keys.Updated.Single().Id, _keys.Updated.Single().Settings.Scopes));
        Assert.Empty(cut.FindAll("[data-testid='new-secret-panel']"));
    }

    private sealed class FakeKeys(TimeProvider time) : IApiKeyAdministration
    {
        private readonly List<ApiKeyRow> _rows = [];

        public List<ApiKeySettings> Created { get; } = [];
        public List<string> Secrets { get; } = [];
        public List<Guid> Revoked { get; } = [];
        public List<(Guid Id, ApiKeySettings Settings)> Updated { get; } = [];

        public Guid Add(string label, ApiKeyScopes scopes, DateTime? lastUsed = null, long requestsLastHour = 0)
        {
            var id = Guid.NewGuid();
            _rows.Add(new ApiKeyRow(id, label, "AbCdEfGh", scopes, time.GetUtcNow().UtcDateTime, null, null, lastUsed, new ApiKeyUseSummary(requestsLastHour)));
            return id;
        }

        public Task<IReadOnlyList<ApiKeyRow>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ApiKeyRow>>([.. _rows]);

        public Task<CreatedApiKey> CreateAsync(ClaimsPrincipal user, ApiKeySettings settings, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(settings.Label))
            {
                throw new ArgumentException("Give the key a label that says which gateway or integration uses it.");
            }
            Created.Add(settings);
            var secret = $"co_AbCdEfGh_{Guid.NewGuid():N}";
            Secrets.Add(secret);
            var id = Add(settings.Label, settings.Scopes);
            return Task.FromResult(new CreatedApiKey(id, settings.Label, secret, settings.Scopes, settings.ExpiresAt));
        }

        public Task<ApiKeyRow> UpdateAsync(ClaimsPrincipal user, Guid id, ApiKeySettings settings, CancellationToken cancellationToken = default)
        {
            Updated.Add((id, settings));
            var i = _rows.FindIndex(r => r.Id == id);
            _rows[i] = _rows[i] with { Label = settings.Label, Scopes = settings.Scopes, ExpiresAt = settings.ExpiresAt };
            return Task.FromResult(_rows[i]);
        }

        public Task<ApiKeyRow> RevokeAsync(ClaimsPrincipal user, Guid id, CancellationToken cancellationToken = default)
        {
            Revoked.Add(id);
            var i = _rows.FindIndex(r => r.Id == id);
            _rows[i] = _rows[i] with { RevokedAt = time.GetUtcNow().UtcDateTime };
            return Task.FromResult(_rows[i]);
        }
    }
}
