Console.Error.WriteLine("usage: CityOps.Simulator --target URL --api-key KEY [--rate N] [--duration D] [--seed S] [--backfill D]");
return 2;
