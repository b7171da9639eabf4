namespace CityOps.Web.Tests;
