namespace CityOps.IntegrationTests;
