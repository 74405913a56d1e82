using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// The audit trail of operator actions: every action (re-drive, discard, refund retry, stock level,
/// reconciliation run, bulk run) is stored in <see cref="AuditTrail"/> with who, what, on which
/// target and why, and never deleted; the console lists it. Each is also one structured trace,
/// excluded from sampling (host.json), for the log search in Azure.
/// </summary>
public sealed class OperatorAudit(AuditTrail trail, TimeProvider clock, ILogger<OperatorAudit> log)
{
    public async Task RecordAsync(OperatorCaller caller, string action, string target, string? orderId = null, string? reason = null, CancellationToken ct = default)
    {
        log.OperatorActed(caller.AuditName, action, target);
        await trail.AddAsync(new AuditEntry(clock.GetUtcNow(), caller.AuditName, action, target, orderId, reason), ct);
    }
}
