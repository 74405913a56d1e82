using Microsoft.Extensions.Logging;
using Payments.Contracts;

namespace Payments.Recovery;

/// <summary>
/// The audit trail of operator actions that have no row of their own to keep the caller in (stock
/// levels, refund retries, reconciliation runs): one structured trace per action with who, what and
/// on which target. Traces are excluded from sampling (host.json), so none is dropped in Azure.
/// Dead-letter re-drives and discards also store the caller in their row (<c>ResolvedBy</c>).
/// </summary>
public sealed class OperatorAudit(ILogger<OperatorAudit> log)
{
    public void Record(OperatorCaller caller, string action, string target) => log.OperatorActed(caller.AuditName, action, target);
}
