using Payments.Benchmarks;

return await Bench.RunAsync(args, Console.Out);
