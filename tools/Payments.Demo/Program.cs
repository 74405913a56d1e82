using Payments.Demo;

// ./tools/demo.sh [--Demo:Orders 50] [--Simulator:LossRate 0.2] [--Faults:PointsTransientFailureRate 0.5] …
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the run unwind, so the Azurite it started is stopped too.
    e.Cancel = true;
    stop.Cancel();
};
try
{
    return await DemoRun.RunAsync(args, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Interrupted.");
    return 130;
}
