using System.Diagnostics;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using GatewaySimulator;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;
using Polly.Retry;
using Polly;

namespace Payments.Demo.Driving;

/// <summary>
/// Plays the order service, the customers and one operator: creates each payment at the gateway,
/// registers the order with the pipeline, pays or fails it at the planned moments (some twice),
/// and terminates the sagas planned to fail after Paid. The order service keeps
/// retrying a registration the pipeline could not take (the host may be down); the customers take
/// the gateway's refusals (a closed payment) as final.
/// </summary>
public sealed class CustomerDriver(PipelineAccess access, OrderServiceOutage? outage = null)
{
    private static readonly ResiliencePipeline UntilAccepted = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            // Transport errors and 5xx: the pipeline or the gateway API is down or injecting faults.
            ShouldHandle = new PredicateBuilder()
                .Handle<HttpRequestException>(ex => ex.StatusCode is null or >= HttpStatusCode.InternalServerError)
                .Handle<TaskCanceledException>(),
            MaxRetryAttempts = 200,
            Delay = TimeSpan.FromMilliseconds(250),
            BackoffType = DelayBackoffType.Exponential,
            MaxDelay = TimeSpan.FromSeconds(2),
            UseJitter = true,
        })
        .Build();

    /// <summary>How long the order service keeps registering one order before giving up loudly.</summary>
    private static readonly TimeSpan SagaConfirmation = TimeSpan.FromMinutes(3);

    /// <summary>How long the operator waits for an order to show Paid before giving up on terminating its saga.</summary>
    private static readonly TimeSpan PaidPatience = TimeSpan.FromSeconds(120);

    /// <summary>How long a refund after the sale waits for its order to complete before giving up on it.</summary>
    private static readonly TimeSpan CompletedPatience = TimeSpan.FromSeconds(90);

    private int paymentsCreated, registered, paid, paidWrong, failed, payRefused, failRefused, secondCaptures, terminated, terminationsMissed;
    private int afterSalesRefunds, dashboardRefunds, refundsMissed, refundsFailedAfterAcceptance, terminatedBeforePayment, disputesLost, disputesWon, disputesSkipped;

    public int Registered => Volatile.Read(ref registered);

    public DriverTally Tally => new(paymentsCreated, registered, paid, paidWrong, failed, payRefused, failRefused, secondCaptures, terminated, terminationsMissed,
        afterSalesRefunds, dashboardRefunds, refundsMissed, refundsFailedAfterAcceptance, terminatedBeforePayment, disputesLost, disputesWon, disputesSkipped);

    /// <summary>Runs every plan's steps at their times; completes when the last step is done.</summary>
    public async Task RunAsync(IReadOnlyList<OrderPlan> plans, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(plans.Select(plan => RunOrderAsync(plan, clock, ct)));
    }

    private async Task RunOrderAsync(OrderPlan plan, Stopwatch clock, CancellationToken ct)
    {
        Task heldRegistration = Task.CompletedTask;
        foreach (var step in plan.Steps)
        {
            var wait = step.At - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }
            if (step.Kind == StepKind.Register && outage is not null && outage.Holds(step.At))
            {
                // The order service is down: its registration waits, the customer's payment does not.
                heldRegistration = outage.AfterOutageAsync(plan.Order.OrderId, () => ExecuteAsync(plan, step.Kind, ct));
                continue;
            }
            await ExecuteAsync(plan, step.Kind, ct);
        }
        await heldRegistration;
    }

    private async Task ExecuteAsync(OrderPlan plan, StepKind kind, CancellationToken ct)
    {
        var order = plan.Order;
        switch (kind)
        {
            case StepKind.CreatePayment or StepKind.CreateSecondPayment:
                var paymentId = kind == StepKind.CreatePayment ? order.PaymentId : plan.SecondPaymentId;
                await UntilAccepted.ExecuteAsync(async token =>
                {
                    using var reply = await access.GatewayApi.PostAsJsonAsync("v1/payments",
                        new { PaymentId = paymentId, order.OrderId, order.AmountMinor, order.Currency, order.Provider }, token);
                    reply.EnsureSuccessStatusCode();
                }, ct);
                Interlocked.Increment(ref paymentsCreated);
                break;
            case StepKind.PaySecond:
                if (!await RefusedAsync(() => access.Gateway.PayAsync(plan.SecondPaymentId)))
                {
                    Interlocked.Increment(ref secondCaptures);
                }
                break;
            case StepKind.TerminateWhenPaid:
                await TerminateWhenPaidAsync(order.OrderId, ct);
                break;
            case StepKind.RefundAfterSaleWhenCompleted or StepKind.RefundInDashboardWhenCompleted:
                await RefundWhenCompletedAsync(order, inDashboard: kind == StepKind.RefundInDashboardWhenCompleted, ct);
                break;
            case StepKind.RefundFailingAfterSaleWhenCompleted:
                await RefundFailingWhenCompletedAsync(order, ct);
                break;
            case StepKind.TerminateWhileAwaitingPayment:
                await TerminateWhileAwaitingPaymentAsync(order.OrderId, ct);
                break;
            case StepKind.DisputeLostWhenCompleted or StepKind.DisputeWonWhenCompleted:
                await DisputeWhenCompletedAsync(order, lost: kind == StepKind.DisputeLostWhenCompleted, ct);
                break;
            case StepKind.Register:
                await RegisterAsync(order, ct);
                Interlocked.Increment(ref registered);
                break;
            case StepKind.Pay or StepKind.PayWrongAmount:
                var amount = kind == StepKind.PayWrongAmount ? plan.WrongAmountMinor : (long?)null;
                if (await RefusedAsync(() => access.Gateway.PayAsync(order.PaymentId, amount)))
                {
                    Interlocked.Increment(ref payRefused);
                }
                else if (kind == StepKind.PayWrongAmount)
                {
                    Interlocked.Increment(ref paidWrong);
                }
                else
                {
                    Interlocked.Increment(ref paid);
                }
                break;
            case StepKind.Fail:
                if (await RefusedAsync(() => access.Gateway.FailAsync(order.PaymentId)))
                {
                    Interlocked.Increment(ref failRefused);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
                break;
        }
    }

    /// <summary>
    /// Registers the order until the pipeline accepted it and its saga exists. "Already registered"
    /// after a retry does not prove a saga: if the host died between writing the order row and
    /// starting the saga, only a registration repeated after the pipeline's start grace starts it
    /// (see <c>OrderRegistration</c>), so the order service keeps asking until it sees the saga.
    /// </summary>
    private async Task RegisterAsync(OrderRequest order, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(SagaConfirmation);
        while (true)
        {
            var reply = await UntilAccepted.ExecuteAsync(async token =>
            {
                using var response = await access.Pipeline.PostAsJsonAsync("api/orders", order, token);
                if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
                {
                    return response.StatusCode;
                }
                var body = await response.Content.ReadAsStringAsync(token);
                throw response.StatusCode >= HttpStatusCode.InternalServerError
                    ? new HttpRequestException($"Registering {order.OrderId}: {(int)response.StatusCode}", null, response.StatusCode)
                    : new InvalidOperationException($"The pipeline refused order {order.OrderId}: {(int)response.StatusCode} {body}");
            }, deadline.Token);
            if (reply == HttpStatusCode.Accepted || await SagaExistsAsync(order.OrderId, deadline.Token))
            {
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(5), deadline.Token);
        }
    }

    /// <summary>
    /// The operator's forced failure after Paid: once the order shows Paid (its stock commit stalls,
    /// so the saga sits there), its saga is terminated through the Durable client. Nothing of that
    /// saga runs again; the pipeline's reconciler must find it and refund the payment.
    /// </summary>
    private async Task TerminateWhenPaidAsync(string orderId, CancellationToken ct)
    {
        var orders = new OrderBook(access.Storage, TimeProvider.System);
        var deadline = DateTime.UtcNow + PaidPatience;
        while (DateTime.UtcNow < deadline)
        {
            var status = await PollAsync(() => orders.GetAsync(orderId, ct), ct);
            if (status?.Status == OrderStatus.Paid && await TryTerminateAsync(orderId, "demo operator: forced failure after Paid", ct))
            {
                Interlocked.Increment(ref terminated);
                return;
            }
            if (status is { Status: not (OrderStatus.AwaitingPayment or OrderStatus.Paid) })
            {
                break; // it ended some other way first (Paid stays: a terminate that failed is tried again)
            }
            deadline = NotBeforeRegistered(status, deadline, PaidPatience);
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
        Interlocked.Increment(ref terminationsMissed);
    }

    /// <summary>
    /// After the sale: once the order is Completed, customer service refunds 40 % of it and then the rest
    /// (POST /api/orders/{orderId}/refunds, two idempotency keys); or the merchant refunds 30 % in the
    /// gateway's dashboard, where the gateway's refund notice names the refund (the simulator's own API,
    /// WeChat Pay and Alipay; Stripe's charge.refunded names none yet, so those orders are refunded after
    /// the sale instead).
    /// </summary>
    private async Task RefundWhenCompletedAsync(OrderRequest order, bool inDashboard, CancellationToken ct)
    {
        if (!await CompletedAsync(order.OrderId, ct))
        {
            Interlocked.Increment(ref refundsMissed);
            return;
        }
        if (inDashboard && order.Provider is PaymentProviders.Standard or PaymentProviders.WeChatPay or PaymentProviders.Alipay)
        {
            await UntilAccepted.ExecuteAsync(async token =>
            {
                using var reply = await access.GatewayApi.PostAsJsonAsync($"sim/payments/{order.PaymentId}/dashboard-refund", new { amountMinor = order.AmountMinor * 3 / 10 }, token);
                reply.EnsureSuccessStatusCode();
            }, ct);
            Interlocked.Increment(ref dashboardRefunds);
            return;
        }
        var first = order.AmountMinor * 4 / 10;
        await RefundAfterSaleAsync(order, first, "as-1", ct);
        await RefundAfterSaleAsync(order, order.AmountMinor - first, "as-2", ct);
        Interlocked.Increment(ref afterSalesRefunds);
    }

    /// <summary>
    /// Customer service refunds the whole order once it is completed, and the gateway accepts that refund
    /// and then fails it (its scripted fault): the refund tracker finds it failed and parks it with a
    /// retry; the operator's end of day retries it. Only where the dialect's refund query says failed
    /// (the simulator's own API, Stripe and WeChat Pay); elsewhere an ordinary after-sales refund.
    /// </summary>
    private async Task RefundFailingWhenCompletedAsync(OrderRequest order, CancellationToken ct)
    {
        if (!await CompletedAsync(order.OrderId, ct))
        {
            Interlocked.Increment(ref refundsMissed);
            return;
        }
        if (order.Provider is PaymentProviders.Standard or PaymentProviders.Stripe or PaymentProviders.WeChatPay)
        {
            await UntilAccepted.ExecuteAsync(async token =>
            {
                using var reply = await access.GatewayApi.PostAsJsonAsync($"sim/payments/{order.PaymentId}/refund-faults", new { failAfterAcceptance = 1 }, token);
                reply.EnsureSuccessStatusCode();
            }, ct);
            Interlocked.Increment(ref refundsFailedAfterAcceptance);
        }
        await RefundAfterSaleAsync(order, order.AmountMinor, "as-full", ct);
        Interlocked.Increment(ref afterSalesRefunds);
    }

    /// <summary>
    /// After the sale: once the order is Completed, the customer disputes the whole charge at the bank
    /// (<c>POST /sim/payments/{id}/dispute</c>), which the gateway ends lost or won and announces in its
    /// dialect. Only Stripe and Adyen announce disputes; other gateways' orders are left alone (counted skipped).
    /// </summary>
    private async Task DisputeWhenCompletedAsync(OrderRequest order, bool lost, CancellationToken ct)
    {
        if (order.Provider is not (PaymentProviders.Stripe or PaymentProviders.Adyen) || !await CompletedAsync(order.OrderId, ct))
        {
            Interlocked.Increment(ref disputesSkipped);
            return;
        }
        await UntilAccepted.ExecuteAsync(async token =>
        {
            using var reply = await access.GatewayApi.PostAsJsonAsync($"sim/payments/{order.PaymentId}/dispute", new { outcome = lost ? "lost" : "won" }, token);
            reply.EnsureSuccessStatusCode();
        }, ct);
        if (lost)
        {
            Interlocked.Increment(ref disputesLost);
        }
        else
        {
            Interlocked.Increment(ref disputesWon);
        }
    }

    /// <summary>Waits for the order to end; true when it ended Completed.</summary>
    private async Task<bool> CompletedAsync(string orderId, CancellationToken ct)
    {
        var orders = new OrderBook(access.Storage, TimeProvider.System);
        var deadline = DateTime.UtcNow + CompletedPatience;
        OrderRecord? status;
        while ((status = await PollAsync(() => orders.GetAsync(orderId, ct), ct))?.Status is null or OrderStatus.AwaitingPayment or OrderStatus.Paid)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            deadline = NotBeforeRegistered(status, deadline, CompletedPatience);
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
        return (await PollAsync(() => orders.GetAsync(orderId, ct), ct))?.Status == OrderStatus.Completed;
    }

    /// <summary>
    /// The operator's patience runs from when the order is registered: while the order service's outage
    /// holds its registration (no row yet), the deadline moves on with the clock.
    /// </summary>
    private static DateTime NotBeforeRegistered(OrderRecord? status, DateTime deadline, TimeSpan patience) =>
        status is null && DateTime.UtcNow + patience > deadline ? DateTime.UtcNow + patience : deadline;

    /// <summary>A crash before the payment is decided: the saga is terminated while its order awaits the payment.</summary>
    private async Task TerminateWhileAwaitingPaymentAsync(string orderId, CancellationToken ct)
    {
        var orders = new OrderBook(access.Storage, TimeProvider.System);
        var deadline = DateTime.UtcNow + PaidPatience;
        while (DateTime.UtcNow < deadline)
        {
            var status = await PollAsync(() => orders.GetAsync(orderId, ct), ct);
            if (status?.Status == OrderStatus.AwaitingPayment && await TryTerminateAsync(orderId, "demo operator: crash before the payment", ct))
            {
                Interlocked.Increment(ref terminatedBeforePayment);
                return;
            }
            if (status is { Status: not OrderStatus.AwaitingPayment })
            {
                break;
            }
            deadline = NotBeforeRegistered(status, deadline, PaidPatience);
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
        Interlocked.Increment(ref terminationsMissed);
    }

    private async Task RefundAfterSaleAsync(OrderRequest order, long amountMinor, string key, CancellationToken ct) =>
        await UntilAccepted.ExecuteAsync(async token =>
        {
            using var reply = await access.Pipeline.PostAsJsonAsync($"api/orders/{order.OrderId}/refunds",
                new { amountMinor, reason = "customer_return", idempotencyKey = key }, token);
            if (reply.StatusCode >= HttpStatusCode.InternalServerError)
            {
                throw new HttpRequestException($"Refunding {order.OrderId}: {(int)reply.StatusCode}", null, reply.StatusCode);
            }
            if (reply.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
            {
                throw new InvalidOperationException($"The pipeline refused the after-sales refund {key} of {order.OrderId}: {(int)reply.StatusCode} {await reply.Content.ReadAsStringAsync(token)}");
            }
        }, ct);

    /// <summary>False when the host's Durable endpoint is down (a chaos run kills it); the caller looks again.</summary>
    private async Task<bool> TryTerminateAsync(string orderId, string reason, CancellationToken ct)
    {
        try
        {
            await access.Durable.TerminateInstanceAsync(OrderSaga.InstanceId(orderId), reason, ct);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<OrderRecord?> PollAsync(Func<Task<OrderRecord?>> read, CancellationToken ct)
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException || (StorageFailure.IsUnavailable(ex) && !ct.IsCancellationRequested))
        {
            // Storage busy: an answer refused, or (a loaded machine) every try of the SDK timed out; look again.
            return null;
        }
    }

    private async Task<bool> SagaExistsAsync(string orderId, CancellationToken ct)
    {
        try
        {
            var view = await access.Pipeline.GetFromJsonAsync<OrderView>($"api/orders/{orderId}", JsonSerializerOptions.Web, ct);
            return view?.SagaRuntimeStatus is not null;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>True when the gateway refused the customer's action because the payment is already settled (409).</summary>
    private static async Task<bool> RefusedAsync(Func<Task> action)
    {
        try
        {
            await action();
            return false;
        }
        catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            return true;
        }
    }
}
