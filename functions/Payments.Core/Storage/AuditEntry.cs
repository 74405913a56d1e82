namespace Payments.Storage;

/// <summary>One operator action as the audit trail keeps it: who, what, on which target (and order), and why.</summary>
public sealed record AuditEntry(DateTimeOffset At, string Operator, string Action, string Target, string? OrderId, string? Reason);
