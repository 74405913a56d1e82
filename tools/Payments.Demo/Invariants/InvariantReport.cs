namespace Payments.Demo.Invariants;

/// <summary>
/// How bad a finding is. A <see cref="Violation"/> is a broken invariant: money, stock or points
/// are wrong. <see cref="NeedsOperator"/> is work the pipeline parked on purpose (a refund the
/// gateway kept rejecting, points that could not be granted, a dead letter): the ledger is not
/// yet where it should be, but the pipeline knows, says so, and an operator can finish it.
/// </summary>
public enum Severity { Violation, NeedsOperator }

/// <summary>One thing found wrong (or waiting) about one subject: a payment, an order, a sku, a customer, an event.</summary>
public sealed record Finding(string Invariant, Severity Severity, string Subject, string Detail)
{
    public override string ToString() => $"[{Invariant}] {Severity}: {Subject}: {Detail}";
}

/// <summary>The verdict on one invariant: how many subjects were checked and what was found.</summary>
public sealed record InvariantVerdict(string Invariant, string Statement, int Checked, IReadOnlyList<Finding> Findings)
{
    public bool Holds => Findings.All(f => f.Severity != Severity.Violation);

    public int Violations => Findings.Count(f => f.Severity == Severity.Violation);

    public int NeedsOperator => Findings.Count(f => f.Severity == Severity.NeedsOperator);
}

/// <summary>The verdicts on every invariant for one snapshot.</summary>
public sealed record InvariantReport(IReadOnlyList<InvariantVerdict> Verdicts)
{
    public bool AllHold => Verdicts.All(v => v.Holds);

    public IReadOnlyList<Finding> Violations => [.. Verdicts.SelectMany(v => v.Findings).Where(f => f.Severity == Severity.Violation)];

    public IReadOnlyList<Finding> NeedsOperator => [.. Verdicts.SelectMany(v => v.Findings).Where(f => f.Severity == Severity.NeedsOperator)];

    public InvariantVerdict this[string invariant] => Verdicts.Single(v => v.Invariant == invariant);
}
