namespace Payments.Demo.Invariants;

/// <summary>
/// How bad a finding is. A <see cref="Violation"/> is a broken invariant: money, stock or points
/// are wrong. <see cref="NeedsOperator"/> is work the pipeline parked on purpose (a refund the
/// gateway kept rejecting, points that could not be granted, a dead letter): the ledger is not
/// yet where it should be, but the pipeline knows, says so, and an operator can finish it.
/// <see cref="StatementOnly"/> is a capture no online path can see: a payment id the pipeline never
/// received (a second capture whose every webhook was lost); the statement is its only net.
/// </summary>
public enum Severity { Violation, NeedsOperator, StatementOnly }
