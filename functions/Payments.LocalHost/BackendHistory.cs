using System.Text.Json;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.DurableTask.Client;
using Payments.Operations;

namespace Payments.LocalHost;

/// <summary>
/// The operator console's saga history on the local host: read from the Azure Storage backend
/// (<see cref="IOrchestrationServiceClient.GetOrchestrationHistoryAsync"/>, the latest execution's
/// events as JSON), because the in-process gRPC sidecar streams none to the Durable client.
/// </summary>
internal sealed class BackendHistory(IOrchestrationServiceClient backend) : IOrchestrationHistory
{
    public async Task<IReadOnlyList<SagaHistoryEvent>> ReadAsync(string instanceId, DurableTaskClient durable, CancellationToken ct)
    {
        var json = await backend.GetOrchestrationHistoryAsync(instanceId, null!);
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(ToEvent)];
    }

    private static SagaHistoryEvent ToEvent(JsonElement e)
    {
        var type = Number(e, "EventType") is { } number ? ((EventType)number).ToString() : "Unknown";
        var at = e.TryGetProperty("Timestamp", out var timestamp) && timestamp.TryGetDateTime(out var when)
            ? new DateTimeOffset(DateTime.SpecifyKind(when, DateTimeKind.Utc))
            : default;
        var scheduled = Number(e, "TaskScheduledId") ?? Number(e, "TimerId");
        var failure = Text(e, "Reason") ?? (e.TryGetProperty("FailureDetails", out var details) && details.ValueKind == JsonValueKind.Object ? Text(details, "ErrorMessage") : null);
        var name = type == nameof(EventType.ExecutionCompleted) && Number(e, "OrchestrationStatus") is { } status
            ? ((OrchestrationStatus)status).ToString()
            : Text(e, "Name");
        var result = Text(e, "Result") ?? Text(e, "FireAt");
        return new SagaHistoryEvent(at, type, Number(e, "EventId") ?? -1, scheduled, name, Text(e, "Input"), result, failure);
    }

    private static int? Number(JsonElement e, string property) =>
        e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static string? Text(JsonElement e, string property) =>
        e.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        } : null;
}
