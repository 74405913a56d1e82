using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GatewaySimulator.Tests;

/// <summary>Thin HTTP helpers so tests read as gateway conversations.</summary>
internal static class GatewayCalls
{
    public static Task<HttpResponseMessage> CreatePaymentAsync(
        this HttpClient client, string paymentId, long amountMinor = 1000, string currency = "EUR", string provider = "standard", string? orderId = null) =>
        client.PostAsJsonAsync("/v1/payments", new { paymentId, orderId = orderId ?? "order-" + paymentId, amountMinor, currency, provider });

    public static async Task CreatePaidPaymentAsync(
        this HttpClient client, SimulatorServer server, string paymentId, long amountMinor = 1000, string provider = "standard", string? orderId = null)
    {
        using var created = await client.CreatePaymentAsync(paymentId, amountMinor, provider: provider, orderId: orderId);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await server.PayAsync(paymentId);
    }

    public static Task<HttpResponseMessage> RefundAsync(this HttpClient client, string paymentId, string? idempotencyKey, long amountMinor, string currency = "EUR")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/payments/{paymentId}/refunds")
        {
            Content = JsonContent.Create(new { amountMinor, currency }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    public static async Task<JsonElement> GetPaymentAsync(this HttpClient client, string paymentId)
    {
        using var response = await client.GetAsync($"/v1/payments/{paymentId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
