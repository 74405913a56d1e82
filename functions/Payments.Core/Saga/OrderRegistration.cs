using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>Registers an order awaiting payment and starts its saga, once per order id.</summary>
public sealed class OrderRegistration(
    OrderBook orders,
    KnownProviders providers,
    IOptions<SagaOptions> sagaOptions,
    TimeProvider clock,
    PaymentDispatch dispatch,
    OpenOrchestrationIndex open,
    ILogger<OrderRegistration> log)
{
    /// <summary>How long a registration may take between writing the order row and starting its saga; healing waits this out.</summary>
    public static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(30);

    public async Task<RegistrationResult> RegisterAsync(OrderRequest? order, DurableTaskClient durable, CancellationToken ct = default)
    {
        if (order is null)
        {
            return new RegistrationResult.Invalid(["body: an order object is required."]);
        }
        var errors = order.Validate(providers.Names);
        if (errors.Count == 0 && !providers.Settles(order.Provider, order.Currency))
        {
            errors = [$"currency: {order.Provider} settles only {string.Join(", ", providers.Currencies![order.Provider])}."];
        }
        if (errors.Count > 0)
        {
            return new RegistrationResult.Invalid(errors);
        }

        // The read-model row is the first-writer gate: only its writer starts the saga, because a
        // start racing another start for the same instance id is not reliably refused by the backend.
        var instanceId = OrderSaga.InstanceId(order.OrderId);
        var registeredRow = await orders.TryRegisterRowAsync(order, Guid.NewGuid(), ct);
        if (registeredRow is null)
        {
            var existing = await orders.GetAsync(order.OrderId, ct);
            if (existing is null || existing.PaymentId != order.PaymentId || existing.AmountMinor != order.AmountMinor
                || existing.Currency != order.Currency || existing.CustomerId != order.CustomerId || existing.Provider != order.Provider)
            {
                return new RegistrationResult.Conflict(order.OrderId);
            }
            // A row without a saga, old enough that its writer is not still starting it, means that
            // writer crashed in between: this repeated registration heals it.
            var writerMayStillStart = clock.GetUtcNow() - existing.RegisteredAt < StartGrace;
            if (writerMayStillStart || await durable.GetInstanceAsync(instanceId, ct) is not null)
            {
                // A repeat after a registration that crashed before its nudge: nudge again (cheap, idempotent).
                await ApplyWaitingCallbacksAsync(order.OrderId, durable, ct);
                return new RegistrationResult.AlreadyRegistered(order.OrderId);
            }
        }

        var started = await StartSagaAsync(order, durable, ct, registeredRow);
        await ApplyWaitingCallbacksAsync(order.OrderId, durable, ct);
        return started ? new RegistrationResult.Started(order.OrderId) : new RegistrationResult.AlreadyRegistered(order.OrderId);
    }

    /// <summary>
    /// The nudge: callbacks that outran this order wait on the retry lane; now that the saga exists
    /// they are applied at once instead of at their next back-off. A failure here fails nothing: the
    /// lane still holds every one of them and applies it when it comes due.
    /// </summary>
    private async Task ApplyWaitingCallbacksAsync(string orderId, DurableTaskClient durable, CancellationToken ct)
    {
        try
        {
            var applied = await dispatch.ApplyWaitingAsync(durable, orderId, ct);
            if (applied > 0)
            {
                log.WaitingCallbacksApplied(orderId, applied);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.WaitingCallbacksDeferred(ex, orderId);
        }
    }

    /// <summary>
    /// For the reconciler: an order registered long enough ago whose saga never started (its
    /// registration crashed between the row and the start, and was never retried) gets its saga now.
    /// </summary>
    public async Task<bool> HealAsync(OrderRecord order, DurableTaskClient durable, CancellationToken ct = default)
    {
        if (clock.GetUtcNow() - order.RegisteredAt < StartGrace || order.Lines.Count == 0
            || await durable.GetInstanceAsync(OrderSaga.InstanceId(order.OrderId), ct) is not null)
        {
            return false;
        }
        log.SagaNeverStarted(order.OrderId, clock.GetUtcNow() - order.RegisteredAt);
        var started = await StartSagaAsync(order.ToRequest(), durable, ct);
        await ApplyWaitingCallbacksAsync(order.OrderId, durable, ct);
        return started;
    }

    /// <param name="registeredRow">The ETag of the order row this registration wrote, handed to the saga's first record; null when healing.</param>
    private async Task<bool> StartSagaAsync(OrderRequest order, DurableTaskClient durable, CancellationToken ct, string? registeredRow = null)
    {
        // Stamped with this deployment's saga version for life: a later deploy replays it on the steps it started with.
        var options = sagaOptions.Value;
        var started = await DurableStart.StartOnceAsync(durable, open, OrderSaga.Name, OrderSaga.InstanceId(order.OrderId), new OrderSagaInput(order, options.ToSettings(), registeredRow), ct, options.Version);
        if (started)
        {
            log.Registered(order.OrderId);
        }
        return started;
    }
}
