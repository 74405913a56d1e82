using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Secrets;

namespace Payments.Gateway.Simulator;

/// <summary>
/// The simulator connector's outbound port: the gateway simulator's own API, shaped like a typical PSP API. A typed
/// client: the standard resilience handler around it does timeouts, jittered retries and breaking.
/// With an API key that is an unresolved Key Vault reference it refuses every call before sending
/// anything: the literal reference must never reach the gateway as a credential.
/// </summary>
public sealed class HttpPaymentGateway(HttpClient http, IOptions<GatewayOptions> options) : IPaymentGateway
{
    private readonly SecretSetting apiKey = options.Value.ApiKeySetting();

    public async Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        using var response = await http.GetAsync($"v1/payments/{Uri.EscapeDataString(payment.PaymentId)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new GatewayPayment(GatewayPaymentState.NotFound, 0, "");
        }
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<PaymentBody>(ct) ?? throw new InvalidDataException("Empty payment body.");
        var state = body.Status switch
        {
            "paid" => GatewayPaymentState.Paid,
            "failed" => GatewayPaymentState.Failed,
            "closed" => GatewayPaymentState.Closed,
            _ => GatewayPaymentState.Pending,
        };
        return new GatewayPayment(state, body.PaidAmountMinor, body.Currency ?? "");
    }

    public async Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        using var response = await http.PostAsync($"v1/payments/{Uri.EscapeDataString(payment.PaymentId)}/close", null, ct);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Conflict:
                var paid = await response.Content.ReadFromJsonAsync<PaymentBody>(ct) ?? throw new InvalidDataException("Empty close body.");
                return new CloseResult(false, paid.PaidAmountMinor, paid.Currency ?? "");
            case HttpStatusCode.NotFound:
                // Never created at the gateway: nothing can be paid on it, which is what closing means.
                return new CloseResult(true, 0, "");
            default:
                response.EnsureSuccessStatusCode();
                return new CloseResult(true, 0, "");
        }
    }

    public async Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/payments/{Uri.EscapeDataString(refund.PaymentId)}/refunds")
        {
            Content = JsonContent.Create(new { amountMinor = refund.AmountMinor, currency = refund.Currency }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<RefundBody>(ct) ?? throw new InvalidDataException("Empty refund body.");
        return new RefundResult(body.RefundId, StateOf(body.Status));
    }

    public async Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        var id = refund.GatewayRefundId ?? refund.IdempotencyKey;
        using var response = await http.GetAsync($"v1/payments/{Uri.EscapeDataString(refund.PaymentId)}/refunds/{Uri.EscapeDataString(id)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // Not created (yet): the gateway has nothing under this key.
            return new GatewayRefund(RefundState.Requested);
        }
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<RefundBody>(ct) ?? throw new InvalidDataException("Empty refund body.");
        return new GatewayRefund(StateOf(body.Status), body.RefundId);
    }

    private static RefundState StateOf(string? status) => status switch
    {
        "pending" => RefundState.Pending,
        "failed" => RefundState.Failed,
        "canceled" => RefundState.Closed,
        _ => RefundState.Succeeded,
    };

    public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, [EnumeratorCancellation] CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        using var response = await http.GetAsync($"v1/statements/{date:yyyy-MM-dd}", HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var entry in StatementCsvReader.ReadAsync(body, ct))
        {
            yield return entry;
        }
    }

    public static void Configure(HttpClient http, GatewayOptions options)
    {
        http.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/') + "/");
        if (options.ApiKeySetting() is { IsSet: true } key)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Value);
        }
    }

    private void RefuseWithoutCredentials()
    {
        if (apiKey.State == SecretState.UnresolvedReference)
        {
            throw new GatewayCredentialsUnavailableException(apiKey.Problem!);
        }
    }

    private sealed record PaymentBody(string? Status, long PaidAmountMinor, string? Currency);

    private sealed record RefundBody(string RefundId, string? Status = null);
}
