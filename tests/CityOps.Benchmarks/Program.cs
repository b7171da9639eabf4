Console.Error.WriteLine("usage: CityOps.Benchmarks ingest");
return 2;
