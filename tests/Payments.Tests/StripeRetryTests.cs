using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Stripe;

namespace Payments.Tests;

/// <summary>
/// In-call retries of the Stripe connector follow Stripe's <c>Stripe-Should-Retry</c> header when it
/// is sent, and the usual transient rule (429, 5xx) when it is not; Stripe.net's own retries are off.
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
