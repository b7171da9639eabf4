# syntax=docker/dockerfile:1
# Multi-stage build of the CityOps web application. The runtime image runs as the non-root 'app' user
# and reports health from /health/ready (database reachable, migrations applied).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/CityOps.Analytics/CityOps.Analytics.csproj src/CityOps.Analytics/
COPY src/CityOps.Simulator/CityOps.Simulator.csproj src/CityOps.Simulator/
COPY src/CityOps.Web/CityOps.Web.csproj src/CityOps.Web/
RUN dotnet restore src/CityOps.Web/CityOps.Web.csproj
COPY src/ src/
RUN dotnet publish src/CityOps.Web/CityOps.Web.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /var/lib/cityops/keys && chown "$APP_UID" /var/lib/cityops/keys
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080 \
    CityOps__DemoMode=false \
    Database__MigrateOnStartup=false \
    DOTNET_gcServer=1
EXPOSE 8080
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["dotnet", "CityOps.Web.dll"]
