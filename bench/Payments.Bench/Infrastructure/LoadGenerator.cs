using System.Diagnostics;
using System.Net;

namespace Payments.Benchmarks.Infrastructure;

/// <summary>
/// Drives an HTTP endpoint two ways: closed loop (a fixed number of clients back to back, to find
/// saturation) and open loop (requests on a fixed schedule, so a slow server cannot slow the
/// offered load down; latency counts from the scheduled send time, not the actual one).
/// </summary>
public sealed class LoadGenerator(HttpClient http)
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public async Task<LoadResult> SaturateAsync(Func<HttpRequestMessage> nextRequest, int clients, TimeSpan duration)
    {
        var latency = new Latencies();
        int completed = 0, failed = 0;
        var started = Clock.Elapsed;
        var until = started + duration;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Clock.Elapsed < until)
            {
                var sent = Clock.Elapsed;
                var ok = await SendAsync(nextRequest());
                latency.Add((Clock.Elapsed - sent).TotalMilliseconds);
                Interlocked.Increment(ref ok ? ref completed : ref failed);
            }
        }));
        return new LoadResult(completed, failed, Clock.Elapsed - started, latency, double.NaN);
    }

    public async Task<LoadResult> OfferAsync(Func<HttpRequestMessage> nextRequest, double perSecond, TimeSpan duration, int maxInFlight = 512)
    {
        var latency = new Latencies();
        int completed = 0, failed = 0, inFlight = 0;
        var total = (int)(perSecond * duration.TotalSeconds);
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var started = Clock.Elapsed;
        var pending = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var scheduled = started + interval * i;
            var wait = scheduled - Clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            if (Volatile.Read(ref inFlight) >= maxInFlight)
            {
                // The server is this far behind: the request counts as failed rather than silently lowering the offered rate.
                Interlocked.Increment(ref failed);
                continue;
            }
            Interlocked.Increment(ref inFlight);
            var request = nextRequest();
            pending.Add(Task.Run(async () =>
            {
                var ok = await SendAsync(request);
                latency.Add((Clock.Elapsed - scheduled).TotalMilliseconds);
                Interlocked.Increment(ref ok ? ref completed : ref failed);
                Interlocked.Decrement(ref inFlight);
            }));
        }
        await Task.WhenAll(pending);
        return new LoadResult(completed, failed, Clock.Elapsed - started, latency, perSecond);
    }

    private async Task<bool> SendAsync(HttpRequestMessage request)
    {
        try
        {
            using (request)
            using (var response = await http.SendAsync(request))
            {
                return response.StatusCode == HttpStatusCode.OK;
            }
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
