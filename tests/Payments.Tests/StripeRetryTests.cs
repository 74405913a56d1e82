using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Stripe;
using Payments.Saga;

namespace Payments.Tests;

/// <summary>
/// In-call retries of the Stripe connector follow Stripe's <c>Stripe-Should-Retry</c> header when it
/// is sent, and the usual transient rule (429, 5xx) when it is not; Stripe.net's own retries are off.
/// A key still in use at Stripe (409 <c>idempotency_key_in_use</c>) is transient, never a refusal.
/// </summary>
public sealed class StripeRetryTests
{
    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "false", 1)]
    [InlineData(HttpStatusCode.Conflict, "true", 3)]
    [InlineData(HttpStatusCode.TooManyRequests, null, 3)]
    [InlineData(HttpStatusCode.BadRequest, null, 1)]
    public async Task A_stripe_error_is_retried_as_stripe_says(HttpStatusCode status, string? shouldRetry, int expectedAttempts)
    {
        var stripe = new ScriptedStripe(status, shouldRetry);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connectors:Stripe:ApiBase"] = "http://127.0.0.1:9",
            ["Connectors:Stripe:ApiKey"] = "sk_test_retry",
            ["Connectors:Stripe:WebhookSecrets"] = "whsec_a_valid_looking_stripe_secret",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddStripeConnector(configuration);
        services.AddHttpClient(StripeConnector.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => stripe);
        await using var provider = services.BuildServiceProvider();
        var gateway = provider.GetRequiredService<IGatewayConnector>().Outbound;

        var refused = await Assert.ThrowsAsync<GatewayRefusedException>(() => gateway.QueryPaymentAsync(new PaymentRef("o-retry", "stripe", "pi_retry")));

        Assert.Equal(expectedAttempts, stripe.Attempts);
        Assert.Equal((int)status, refused.StatusCode);
    }

    [Fact]
    public async Task A_refund_whose_key_is_still_in_use_at_stripe_is_transient_and_its_retry_keeps_the_key()
    {
        var stripe = new InFlightStripe();
        await using var provider = Compose(stripe);
        var gateway = provider.GetRequiredService<IGatewayConnector>().Outbound;
        var refund = new RefundRequest("o-inflight", "stripe", "pi_inflight", 1500, "EUR", "late_payment");

        var inFlight = await Assert.ThrowsAsync<GatewayRequestInFlightException>(() => gateway.RefundAsync(refund, refund.IdempotencyKey()));

        Assert.Equal("refund-pi_inflight", inFlight.IdempotencyKey);
        // Not a final refusal: the refund parked after its last try is asked again under the same key.
        var retry = LatePaymentRefund.RetryAfter(refund, new TaskFailedException(SagaActivityNames.Refund, 1, inFlight));
        Assert.Equal("refund-pi_inflight", retry.IdempotencyKey());
        // Once Stripe has finished the first request, the same key is answered with its refund.
        stripe.Finished = true;
        Assert.Equal("re_inflight", (await gateway.RefundAsync(retry, retry.IdempotencyKey())).RefundId);
        Assert.Equal(["refund-pi_inflight", "refund-pi_inflight"], stripe.CreateKeys);
    }

    private static ServiceProvider Compose(HttpMessageHandler stripe)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connectors:Stripe:ApiBase"] = "http://127.0.0.1:9",
            ["Connectors:Stripe:ApiKey"] = "sk_test_retry",
            ["Connectors:Stripe:WebhookSecrets"] = "whsec_a_valid_looking_stripe_secret",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddStripeConnector(configuration);
        services.AddHttpClient(StripeConnector.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => stripe);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Stripe while the first refund request under a key is still executing: the intent lists no refund
    /// yet, and a create under that key is answered 409 with Stripe's error object (type
    /// <c>idempotency_error</c>, code <c>idempotency_key_in_use</c>), until the first one has finished.
    /// </summary>
    private sealed class InFlightStripe : HttpMessageHandler
    {
        public bool Finished { get; set; }

        public List<string> CreateKeys { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get)
            {
                return Task.FromResult(Json(HttpStatusCode.OK, """{"object":"list","data":[],"has_more":false,"url":"/v1/refunds"}"""));
            }
            var key = request.Headers.GetValues("Idempotency-Key").Single();
            CreateKeys.Add(key);
            return Task.FromResult(Finished
                ? Json(HttpStatusCode.OK, """{"id":"re_inflight","object":"refund","amount":1500,"currency":"eur","payment_intent":"pi_inflight","status":"succeeded"}""")
                : Json(HttpStatusCode.Conflict, $$$"""{"error":{"code":"idempotency_key_in_use","doc_url":"https://stripe.com/docs/error-codes/idempotency-key-in-use","message":"There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): {{{key}}}. Please try again later.","type":"idempotency_error"}}"""));
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
            new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }

    private sealed class ScriptedStripe(HttpStatusCode status, string? shouldRetry) : HttpMessageHandler
    {
        public int Attempts { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Attempts++;
            var response = new HttpResponseMessage(status)
            {
                Content = new StringContent("""{"error":{"type":"api_error","code":"lock_timeout","message":"scripted"}}""", Encoding.UTF8, "application/json"),
            };
            if (shouldRetry is not null)
            {
                response.Headers.Add("Stripe-Should-Retry", shouldRetry);
            }
            return Task.FromResult(response);
        }
    }
}
