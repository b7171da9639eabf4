namespace CityOps.Tests;
