using System.Text.Json;
using Azure.Data.Tables;
using Payments.Contracts;
using Payments.Saga;

namespace Payments.Tests.Infrastructure;

/// <summary>What the Azure Storage provider keeps of an instance: its version, the activities its history scheduled, and the read-model steps among them.</summary>
internal sealed class DurableTables(string connectionString, string taskHub)
{
    private readonly TableServiceClient tables = new(connectionString);

    public async Task<string?> VersionAsync(string instanceId)
    {
        var row = await tables.GetTableClient(taskHub + "Instances").GetEntityAsync<TableEntity>(instanceId, "");
        return row.Value.GetString("Version");
    }

    /// <summary>How many order sagas ended in each runtime status, per saga version they were stamped with.</summary>
    public async Task<IReadOnlyDictionary<(string Version, string Status), int>> OrderSagaVersionsAsync()
    {
        var counts = new Dictionary<(string, string), int>();
        var prefix = OrderSaga.InstanceId("");
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix[..^1] + (char)(prefix[^1] + 1)}");
        await foreach (var row in tables.GetTableClient(taskHub + "Instances").QueryAsync<TableEntity>(filter, select: ["Version", "RuntimeStatus"]))
        {
            var key = (row.GetString("Version") ?? "", row.GetString("RuntimeStatus") ?? "");
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>The activities the instance's history scheduled, in order (retries included).</summary>
    public async Task<IReadOnlyList<string>> ScheduledActivitiesAsync(string instanceId)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {instanceId} and EventType eq {"TaskScheduled"}");
        var rows = new List<TableEntity>();
        await foreach (var row in tables.GetTableClient(taskHub + "History").QueryAsync<TableEntity>(filter))
        {
            rows.Add(row);
        }
        return [.. rows.OrderBy(r => r.GetInt32("EventId")).Select(r => r.GetString("Name"))];
    }

    public async Task<IReadOnlyList<string>> RecordedStepsAsync(string instanceId)
    {
        var steps = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {instanceId} and EventType eq {"TaskScheduled"} and Name eq {SagaActivityNames.RecordOrderState}");
        var rows = new List<TableEntity>();
        await foreach (var row in tables.GetTableClient(taskHub + "History").QueryAsync<TableEntity>(filter))
        {
            rows.Add(row);
        }
        foreach (var row in rows.OrderBy(r => r.GetInt32("EventId")))
        {
            // The provider keeps the activity's input as the worker sent it: the JSON text, wrapped (a string, an array of parameters).
            var input = System.Text.Json.Nodes.JsonNode.Parse(row.GetString("Input"));
            while (input is System.Text.Json.Nodes.JsonArray or System.Text.Json.Nodes.JsonValue)
            {
                input = input is System.Text.Json.Nodes.JsonArray array ? array[0] : System.Text.Json.Nodes.JsonNode.Parse(input.GetValue<string>());
            }
            steps.Add(input.Deserialize<OrderStateChange>(System.Text.Json.JsonSerializerOptions.Web)!.Step);
        }
        return steps;
    }
}
