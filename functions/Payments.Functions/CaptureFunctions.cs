using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Payments.Functions.Http;
using Payments.Hosting;
using Payments.Intake;
using Payments.Recovery;
using Payments.Storage;

namespace Payments.Functions;

/// <summary>
/// Capture and replay under <c>/api/ops/callbacks</c>: export stored callbacks as a fixture file,
/// re-verify a fixture file against the current secrets, replay one into this deployment. The
/// format is <see cref="CallbackFixtureFile"/>; README's "Capture &amp; replay" shows the calls.
/// </summary>
public sealed class CaptureFunctions(CallbackCapture capture, OperatorAudit audit, IOptions<OperatorAccessOptions> access)
{
    /// <summary>A fixture file larger than this is refused: 1000 callbacks of the inbox's largest body, base64.</summary>
    public const int MaxFixtureFileBytes = 96 * 1024 * 1000;

    public const int DefaultExportLimit = 1000;

    /// <summary>Filters: provider, eventType, state, from, to (ISO 8601, received time), orderId, limit.</summary>
    [Function("ExportCallbacks")]
    public async Task<IActionResult> Export(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/callbacks/export")] HttpRequest request,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out _) is { } refused)
        {
            return refused;
        }
        if (!TryFilter(request.Query, out var filter, out var limit, out var error))
        {
            return HttpReply.Problem(400, "Invalid filter.", error);
        }
        return File(await capture.ExportAsync(filter, limit, ct));
    }

    [Function("ExportCallback")]
    public async Task<IActionResult> ExportOne(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/callbacks/{provider}/{eventId}/fixture")] HttpRequest request,
        string provider,
        string eventId,
        CancellationToken ct) =>
        OperatorPrincipal.Refuse(request, access.Value, out _) is { } refused ? refused
        : await capture.ExportOneAsync(provider, eventId, ct) is { } fixture ? File(new CallbackFixtureFile(CallbackFixtureFile.CurrentFormat, DateTimeOffset.UtcNow, [fixture]))
        : HttpReply.Problem(404, "No such stored callback.");

    [Function("VerifyCallbacks")]
    public async Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/callbacks/verify")] HttpRequest request,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out _) is { } refused)
        {
            return refused;
        }
        var (file, refusal) = await ReadFileAsync(request, ct);
        return refusal ?? HttpReply.JsonBody(200, capture.Verify(file!));
    }

    /// <summary>Replays into this deployment through intake; a fixture already stored answers as a duplicate.</summary>
    [Function("ReplayCallbacks")]
    public async Task<IActionResult> Replay(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/callbacks/replay")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct)
    {
        if (OperatorPrincipal.Refuse(request, access.Value, out var caller) is { } refused)
        {
            return refused;
        }
        var (file, refusal) = await ReadFileAsync(request, ct);
        if (file is null)
        {
            return refusal!;
        }
        await audit.RecordAsync(caller, $"replays {file.Fixtures.Count} captured callbacks", string.Join(',', file.Fixtures.Select(f => $"{f.Provider}/{f.EventId}").Take(20)), ct: ct);
        return HttpReply.JsonBody(200, await capture.ReplayAsync(file, durable, ct));
    }

    private static HttpReply File(CallbackFixtureFile file) =>
        new HttpReply(200, "application/json; charset=utf-8", file.ToUtf8())
            .WithHeader("Content-Disposition", $"attachment; filename=\"callbacks-{file.ExportedAt:yyyyMMddTHHmmss}.json\"");

    /// <summary>The file, or the refusal: 413 over the limit, 400 naming what is wrong with it.</summary>
    private static async Task<(CallbackFixtureFile? File, HttpReply? Refusal)> ReadFileAsync(HttpRequest request, CancellationToken ct)
    {
        if (await LimitedBody.ReadAsync(request.Body, request.ContentLength, MaxFixtureFileBytes, ct) is not { } bytes)
        {
            return (null, JsonRequest.TooLarge(MaxFixtureFileBytes));
        }
        return CallbackFixtureFile.Read(bytes, out var problems) is { } file
            ? (file, null)
            : (null, HttpReply.Problem(400, "Not a fixture file.", $"Expected format {CallbackFixtureFile.CurrentFormat}.", problems));
    }

    private static bool TryFilter(IQueryCollection query, out CallbackFilter filter, out int limit, out string? error)
    {
        filter = new CallbackFilter();
        limit = DefaultExportLimit;
        error = null;
        string? Text(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.ToString() : null;
        InboxState? state = null;
        if (Text("state") is { } s)
        {
            if (!Enum.TryParse<InboxState>(s, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                error = $"state: one of {string.Join(", ", Enum.GetNames<InboxState>())}.";
                return false;
            }
            state = parsed;
        }
        DateTimeOffset? from = null, to = null;
        foreach (var (name, set) in new (string, Action<DateTimeOffset>)[] { ("from", t => from = t), ("to", t => to = t) })
        {
            if (Text(name) is { } t)
            {
                if (!DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                {
                    error = $"{name}: an ISO 8601 time.";
                    return false;
                }
                set(time);
            }
        }
        if (Text("limit") is { } l && (!int.TryParse(l, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > DefaultExportLimit))
        {
            error = $"limit: 1 to {DefaultExportLimit}.";
            return false;
        }
        filter = new CallbackFilter(Text("provider"), Text("eventType"), state, from, to, Text("orderId"));
        return true;
    }
}
