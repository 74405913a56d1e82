using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using System.Text;
using Payments.Contracts;
using Payments.Saga;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>The order service's endpoints: registration is validated and idempotent; status is readable.</summary>
public sealed class OrderApiTests(IntakeFixture fixture) : IClassFixture<IntakeFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    private static OrderRequest Order(string id, long amount = 990) =>
        new(id, "cust1", [new OrderLine("sku-api", 1)], amount, "EUR", "standard", "pay-" + id);

    [Fact]
    public async Task Registering_the_same_order_twice_starts_one_saga_and_answers_200_the_second_time()
    {
        using var first = await Pipeline.Http.PostAsJsonAsync("api/orders", Order("reg-twice"));
        using var second = await Pipeline.Http.PostAsJsonAsync("api/orders", Order("reg-twice"));

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        var instances = await Collect.AllAsync(Pipeline.Durable.GetAllInstancesAsync(new() { InstanceIdPrefix = OrderSaga.InstanceId("reg-twice") }));
        Assert.Single(instances);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_order_start_one_saga()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Pipeline.Http.PostAsJsonAsync("api/orders", Order("reg-race"))));

        Assert.Single(replies, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.All(replies, r => Assert.True(r.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK));
        var instances = await Collect.AllAsync(Pipeline.Durable.GetAllInstancesAsync(new() { InstanceIdPrefix = OrderSaga.InstanceId("reg-race") }));
        Assert.Single(instances);
    }

    [Fact]
    public async Task A_different_order_under_a_used_id_is_409()
    {
        using var first = await Pipeline.Http.PostAsJsonAsync("api/orders", Order("reg-conflict", 100));
        using var second = await Pipeline.Http.PostAsJsonAsync("api/orders", Order("reg-conflict", 200));

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Conflict), (first.StatusCode, second.StatusCode));
    }

    [Theory]
    [InlineData("{not json", "")]
    [InlineData("{\"orderId\":\"bad id!\",\"customerId\":\"c\",\"lines\":[],\"amountMinor\":0,\"currency\":\"eur\",\"provider\":\"paypal\",\"paymentId\":\"p\"}", "orderId")]
    public async Task An_invalid_order_is_400_problem_json_and_starts_nothing(string body, string field)
    {
        using var reply = await Pipeline.Http.PostAsync("api/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        if (field.Length > 0)
        {
            using var problem = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
            var errors = problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
            Assert.Contains(errors, e => e.StartsWith(field, StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("provider", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("lines", StringComparison.Ordinal));
            Assert.Null(await Pipeline.Durable.GetInstanceAsync(OrderSaga.InstanceId("bad id!")));
        }
    }

    [Fact]
    public async Task Get_order_shows_status_and_the_sagas_current_step()
    {
        await Pipeline.Service<Payments.Ledger.StockLedger>().SetLevelAsync("sku-api", 5);
        using var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", Order("reg-view"));
        await Pipeline.WaitForStepAsync("reg-view", "AwaitingPayment");

        var view = await Pipeline.Http.GetFromJsonAsync<OrderView>("api/orders/reg-view", JsonSerializerOptions.Web);
        using var missing = await Pipeline.Http.GetAsync("api/orders/none-such");

        Assert.Equal(("AwaitingPayment", "AwaitingPayment", "Running", 990L), (view!.Status, view.Step, view.SagaRuntimeStatus, view.AmountMinor));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
