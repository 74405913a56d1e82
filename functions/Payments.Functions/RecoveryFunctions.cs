using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Payments.Intake;
using Payments.Recovery;

namespace Payments.Functions;

/// <summary>Timer-driven recovery: relay callbacks stored but never applied; purge the inbox past retention.</summary>
public sealed class RecoveryFunctions(OutboxRelay relay, InboxStore inbox)
{
    [Function("OutboxRelay")]
    public Task<RelayReport> RelayOutbox(
        [TimerTrigger("%OutboxRelaySchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        relay.RelayAsync(durable, ct);

    [Function("InboxPurge")]
    public Task<int> PurgeInbox([TimerTrigger("%InboxPurgeSchedule%")] TimerInfo timer, CancellationToken ct) =>
        inbox.PurgeExpiredAsync(ct);
}
