using System.Globalization;
using System.Net.Http.Headers;
using System.Threading.Channels;
using GatewaySimulator.WeChatPay;

namespace GatewaySimulator;

/// <summary>Background at-least-once delivery: timers move jobs onto a channel when due, workers POST them, failures are retried per the schedule.</summary>
internal sealed class WebhookDispatcher : IAsyncDisposable
{
    // How long a held-back event waits for a later one to overtake it before it is sent anyway.
    private static readonly TimeSpan ReorderHold = TimeSpan.FromSeconds(2);

    private readonly SimulatorOptions options;
    private readonly SeededRandom random;
    private readonly StatsCounters stats;
    private readonly HttpClient http;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly byte[] standardKey;
    private readonly string callbackBase;
    private readonly WeChatPayDialect weChatPay;
    private readonly Alipay.AlipayDialect alipay;
    private readonly byte[] adyenKey;
    private readonly Channel<DeliveryJob> due;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly HashSet<ITimer> timers = [];
    private readonly List<DeliveryJob> held = [];
    private TaskCompletionSource idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] workers = [];
    private long sequence;
    private long pending;
    private bool stopped;

    public WebhookDispatcher(SimulatorOptions options, SeededRandom random, StatsCounters stats, HttpClient http, TimeProvider clock, ILogger logger, WeChatPayDialect weChatPay, Alipay.AlipayDialect alipay, byte[] adyenKey)
    {
        this.adyenKey = adyenKey;
        this.alipay = alipay;
        this.options = options;
        this.random = random;
        this.stats = stats;
        this.http = http;
        this.clock = clock;
        this.logger = logger;
        standardKey = options.StandardKey;
        callbackBase = options.CallbackBaseUrl.TrimEnd('/');
        this.weChatPay = weChatPay;
        due = Channel.CreateUnbounded<DeliveryJob>(new UnboundedChannelOptions { SingleReader = options.MaxConcurrentDeliveries == 1 });
        idle.SetResult();
    }

    public long Pending
    {
        get
        {
            lock (gate)
            {
                return pending;
            }
        }
    }

    public void Start() =>
        workers = Enumerable.Range(0, options.MaxConcurrentDeliveries)
            .Select(_ => Task.Run(() => RunWorkerAsync(stopping.Token)))
            .ToArray();

    /// <summary>Creates the event's message and decides its fate; called under the store lock, so it never blocks.</summary>
    public void Submit(PaymentEvent paymentEvent)
    {
        // Every draw for one event happens in one go and in a fixed order, so a seed replays the same plan.
        var (message, lost, delay, reorder, duplicateDelay) = random.Draw<(WebhookMessage?, bool, TimeSpan, bool, TimeSpan?)>(r =>
        {
            var message = WebhookPayloads.Build(paymentEvent, r, ++sequence, weChatPay, alipay, adyenKey);
            if (message is null)
            {
                return (null, false, TimeSpan.Zero, false, (TimeSpan?)null);
            }

            var lost = SeededRandom.Chance(r, options.LossRate);
            var delay = SeededRandom.Between(r, options.DeliveryDelayMin, options.DeliveryDelayMax);
            var reorder = SeededRandom.Chance(r, options.ReorderRate);
            var duplicate = SeededRandom.Chance(r, options.DuplicateRate);
            var duplicateDelay = SeededRandom.Between(r, options.DeliveryDelayMin, options.DeliveryDelayMax);
            return (message, lost, delay, reorder, duplicate ? duplicateDelay : (TimeSpan?)null);
        });

        if (message is null)
        {
            return; // this provider sends no webhook for this event (WeChat Pay on a declined attempt)
        }

        stats.EventCreated();
        if (lost)
        {
            stats.EventLost();
            logger.LostOnPurpose(message.Type, message.EventId);
            return;
        }

        var job = new DeliveryJob(message, Attempt: 0, IsDuplicate: false, duplicateDelay);
        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            AddPendingLocked();
            if (reorder)
            {
                held.Add(job);
                StartTimerLocked(delay + ReorderHold, () => ReleaseHeld(job));
            }
            else
            {
                ScheduleLocked(job, delay);
            }
        }
    }

    public async Task WaitIdleAsync(TimeSpan timeout)
    {
        Task idleTask;
        lock (gate)
        {
            idleTask = idle.Task;
        }

        await idleTask.WaitAsync(timeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            foreach (var timer in timers)
            {
                timer.Dispose();
            }

            timers.Clear();
            held.Clear();
            pending = 0;
            idle.TrySetResult();
            due.Writer.TryComplete();
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(workers).ConfigureAwait(false);
        stopping.Dispose();
    }

    private void ScheduleLocked(DeliveryJob job, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            DispatchLocked(job);
            return;
        }

        StartTimerLocked(delay, () =>
        {
            lock (gate)
            {
                DispatchLocked(job);
            }
        });
    }

    private void StartTimerLocked(TimeSpan delay, Action onDue)
    {
        // Created under the gate and removed under it: the callback cannot see the timer before it is registered.
        ITimer? timer = null;
        timer = clock.CreateTimer(
            _ =>
            {
                lock (gate)
                {
                    if (!timers.Remove(timer!))
                    {
                        return;
                    }
                }

                timer!.Dispose();
                onDue();
            },
            state: null,
            dueTime: delay,
            period: Timeout.InfiniteTimeSpan);
        timers.Add(timer);
    }

    private void DispatchLocked(DeliveryJob job)
    {
        if (stopped)
        {
            return;
        }

        due.Writer.TryWrite(job);
        if (job.Attempt != 0 || job.IsDuplicate || held.Count == 0)
        {
            return;
        }

        // A later event just went out first; now the events held back before it may follow.
        var overtaken = held.Where(h => h.Message.Sequence < job.Message.Sequence).ToArray();
        foreach (var heldJob in overtaken)
        {
            held.Remove(heldJob);
            due.Writer.TryWrite(heldJob);
        }
    }

    private void ReleaseHeld(DeliveryJob job)
    {
        lock (gate)
        {
            if (!stopped && held.RemoveAll(h => ReferenceEquals(h, job)) > 0)
            {
                due.Writer.TryWrite(job);
            }
        }
    }

    private async Task RunWorkerAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var job in due.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                await DeliverAsync(job, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposal: pending jobs are dropped on purpose.
        }
    }

    private async Task DeliverAsync(DeliveryJob job, CancellationToken stop)
    {
        stats.DeliveryAttempted();
        if (job.Attempt > 0)
        {
            stats.RetryAttempted();
        }
        else if (job.IsDuplicate)
        {
            stats.DuplicateSent();
        }

        var status = await SendAsync(job.Message, stop).ConfigureAwait(false);
        var delivered = status is >= 200 and < 300;
        logger.Delivered(
            job.Message.Type,
            job.Message.EventId,
            job.Attempt,
            job.IsDuplicate ? " (duplicate)" : string.Empty,
            status?.ToString(CultureInfo.InvariantCulture) ?? "no answer");

        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            if (delivered)
            {
                stats.DeliverySucceeded();
                if (job.DuplicateDelay is { } duplicateDelay)
                {
                    AddPendingLocked();
                    ScheduleLocked(new DeliveryJob(job.Message, Attempt: 0, IsDuplicate: true, DuplicateDelay: null), duplicateDelay);
                }
            }
            else if (job.Attempt < options.RetrySchedule.Count)
            {
                AddPendingLocked();
                ScheduleLocked(job with { Attempt = job.Attempt + 1 }, options.RetrySchedule[job.Attempt]);
            }
            else
            {
                stats.DeliveryAbandoned();
                logger.GaveUp(job.Message.Type, job.Message.EventId, job.Attempt + 1);
            }

            RemovePendingLocked();
        }
    }

    /// <summary>Returns the HTTP status, or null when the receiver could not be reached or timed out.</summary>
    private async Task<int?> SendAsync(WebhookMessage message, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(options.DeliveryTimeout);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{callbackBase}/api/callbacks/{message.Provider}"))
        {
            Content = new ByteArrayContent(message.Body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(
            message.Provider == PaymentProviders.Alipay ? "application/x-www-form-urlencoded; charset=utf-8" : "application/json");

        // Each attempt is signed afresh with the current time, as real gateways do; id and body stay the same.
        // Alipay's form and Adyen's items carry their signatures inside the body: no signature headers.
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        switch (message.Provider)
        {
            case PaymentProviders.Alipay or PaymentProviders.Adyen:
                break;
            case PaymentProviders.WeChatPay:
                foreach (var (name, value) in weChatPay.SignatureHeaders(timestamp, message.Body))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
                break;
            case PaymentProviders.Stripe:
                request.Headers.TryAddWithoutValidation("Stripe-Signature", WebhookSigner.StripeSignature(options.StripeSecret, timestamp, message.Body));
                break;
            default:
                request.Headers.TryAddWithoutValidation("webhook-id", message.EventId);
                request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSigner.StandardSignature(standardKey, message.EventId, timestamp, message.Body));
                break;
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (message.Provider == PaymentProviders.Alipay && response.IsSuccessStatusCode)
            {
                // Alipay retries anything but the literal "success".
                var reply = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                return reply.Trim() == "success" ? (int)response.StatusCode : 500;
            }
            return (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private void AddPendingLocked()
    {
        if (pending++ == 0)
        {
            idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void RemovePendingLocked()
    {
        if (--pending == 0)
        {
            idle.TrySetResult();
        }
    }
}
