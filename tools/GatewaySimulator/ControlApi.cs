namespace GatewaySimulator;

/// <summary>The customer side under /sim: lets tests and demos pay or fail a payment, dispute it, script refund faults, age idempotency keys, and read the counters.</summary>
internal static class ControlApi
{
    public static void MapControlApi(this IEndpointRouteBuilder endpoints, PaymentStore store, StripeIdempotency stripeReplies, Func<SimulatorStats> stats)
    {
        var sim = endpoints.MapGroup("/sim");
        sim.MapPost("/payments/{paymentId}/pay", (string paymentId, HttpRequest request) => PayAsync(store, paymentId, request));
        sim.MapPost("/payments/{paymentId}/fail", (string paymentId) => ToResult(store.Fail(paymentId)));
        sim.MapPost("/payments/{paymentId}/refund-faults", async (string paymentId, HttpRequest request) =>
            await ApiResults.ReadJsonAsync<RefundFaults>(request).ConfigureAwait(false) is { } faults
                ? store.ScriptRefundFaults(paymentId, faults.Refuse, faults.LoseAnswers, faults.LoseListAnswers, faults.FailAfterAcceptance, faults.InFlight) ? Results.NoContent() : ApiResults.Error(StatusCodes.Status404NotFound, "payment not found")
                : ApiResults.Error(StatusCodes.Status400BadRequest, "body must be a JSON object"));
        sim.MapPost("/idempotency/expire", () =>
        {
            store.ForgetIdempotencyKeys();
            stripeReplies.Clear();
            return Results.NoContent();
        });
        sim.MapPost("/payments/{paymentId}/dashboard-refund", async (string paymentId, HttpRequest request) =>
            await ApiResults.ReadJsonAsync<DashboardRefund>(request).ConfigureAwait(false) is { AmountMinor: > 0 } refund
                ? ToRefundResult(RefundInDashboard(store, paymentId, refund.AmountMinor))
                : ApiResults.Error(StatusCodes.Status400BadRequest, "amountMinor must be a positive integer"));
        sim.MapPost("/payments/{paymentId}/dispute", async (string paymentId, HttpRequest request) =>
            await ApiResults.ReadJsonAsync<DisputeRequest>(request).ConfigureAwait(false) is { Outcome: { } outcome } dispute
                ? ToDisputeResult(store.Dispute(paymentId, outcome, dispute.AmountMinor))
                : ApiResults.Error(StatusCodes.Status400BadRequest, "body must be a JSON object with an outcome (lost, won or open)"));
        sim.MapGet("/payments", () => Results.Ok(store.List()));
        sim.MapGet("/stats", () => Results.Ok(stats()));
    }

    /// <summary>
    /// A refund the merchant makes in the gateway's own dashboard or merchant console: under a key of the
    /// gateway's, with no metadata (no order id), announced by the dialect's refund notice like any other.
    /// </summary>
    public static StoreResult<RefundSnapshot> RefundInDashboard(PaymentStore store, string paymentId, long amountMinor) =>
        store.Find(paymentId) is { } payment
            ? store.Refund(paymentId, RefundSnapshot.DashboardKeyPrefix + Guid.NewGuid().ToString("N"), amountMinor, payment.Currency)
            : new(StoreOutcome.NotFound, Error: "payment not found");

    private static IResult ToDisputeResult(StoreResult<DisputeSnapshot> result) =>
        ApiResults.IsSuccess(result.Outcome) ? Results.Ok(result.Value) : ApiResults.Failure(result);

    private static IResult ToRefundResult(StoreResult<RefundSnapshot> result) =>
        ApiResults.IsSuccess(result.Outcome) ? Results.Ok(result.Value) : ApiResults.Failure(result);

    /// <summary>The one pay path behind both the endpoint and <see cref="SimulatorServer.PayAsync"/>.</summary>
    public static StoreResult<PaymentSnapshot> Pay(PaymentStore store, string paymentId, long? amountMinor, string? currency)
    {
        if (amountMinor is <= 0)
        {
            return new(StoreOutcome.Invalid, Error: "amountMinor must be positive");
        }

        string? normalized = null;
        if (currency is not null && !RequestValidation.TryNormalizeCurrency(currency, out normalized))
        {
            return new(StoreOutcome.Invalid, Error: "currency must be a three-letter ISO 4217 code");
        }

        return store.Pay(paymentId, amountMinor, normalized);
    }

    private static async Task<IResult> PayAsync(PaymentStore store, string paymentId, HttpRequest request)
    {
        PayRequest? body = null;
        if (!ApiResults.HasNoBody(request))
        {
            body = await ApiResults.ReadJsonAsync<PayRequest>(request).ConfigureAwait(false);
            if (body is null)
            {
                return ApiResults.Error(StatusCodes.Status400BadRequest, "body must be a JSON object or empty");
            }
        }

        return ToResult(Pay(store, paymentId, body?.AmountMinor, body?.Currency));
    }

    private static IResult ToResult(StoreResult<PaymentSnapshot> result) =>
        ApiResults.IsSuccess(result.Outcome) ? Results.Ok(result.Value) : ApiResults.Failure(result);
}
