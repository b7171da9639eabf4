using CityOps.Analytics.Alerts;

namespace CityOps.Web.Features.Administration.Rules;

/// <summary>The models a rule can use, by the names the JSON (and the editor's picker) uses.</summary>
public static class RuleModels
{
    public static readonly IReadOnlyList<(string Kind, string Title)> All =
    [
        ("limit", "Limit (high/low, rate of change)"),
        ("dataQuality", "Data quality (stale, flatline, range)"),
        ("baseline", "Learned baseline (anomaly score)"),
        ("forecast", "Forecast (warns before a limit)"),
        ("spc", "Statistical process control"),
        ("multivariate", "Multivariate (PCA, T² and Q)"),
    ];

    public static string KindOf(ModelParameters model) => model switch
    {
        LimitParameters => "limit",
        DataQualityParameters => "dataQuality",
        BaselineParameters => "baseline",
        ForecastParameters => "forecast",
        SpcParameters => "spc",
        MultivariateParameters => "multivariate",
        _ => throw new NotSupportedException($"Unknown model {model.GetType().Name}."),
    };

    /// <summary>A model with its default parameters (a limit rule gets a high limit so it is valid from the start).</summary>
    public static ModelParameters Default(string kind) => kind switch
    {
        "limit" => new LimitParameters { High = 100 },
        "dataQuality" => new DataQualityParameters(),
        "baseline" => new BaselineParameters(),
        "forecast" => new ForecastParameters { High = 100 },
        "spc" => new SpcParameters(),
        "multivariate" => new MultivariateParameters { Metrics = [] },
        _ => throw new NotSupportedException($"Unknown model '{kind}'."),
    };

    public static string Title(string kind) => All.FirstOrDefault(m => m.Kind == kind).Title ?? kind;
}
