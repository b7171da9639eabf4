// The namespaces whose AddXxx()/MapXxx() Program.cs calls, so that Program.cs reads as a table of contents.
global using CityOps.Web.Components;
global using CityOps.Web.Data;
global using CityOps.Web.Features.Accounts;
global using CityOps.Web.Features.Administration;
global using CityOps.Web.Features.Alerts;
global using CityOps.Web.Features.Actions;
global using CityOps.Web.Features.ApiKeys;
global using CityOps.Web.Features.Assets;
global using CityOps.Web.Features.Audit;
global using CityOps.Web.Features.Cluster;
global using CityOps.Web.Features.ControlRoom;
global using CityOps.Web.Features.Demo;
global using CityOps.Web.Features.Health;
global using CityOps.Web.Features.Ingest;
global using CityOps.Web.Features.Kpi;
global using CityOps.Web.Features.Live;
global using CityOps.Web.Features.Telemetry;
