namespace Payments.Demo.Invariants;

/// <summary>The verdict on one invariant: how many subjects were checked and what was found.</summary>
public sealed record InvariantVerdict(string Invariant, string Statement, int Checked, IReadOnlyList<Finding> Findings)
{
    public bool Holds => Findings.All(f => f.Severity != Severity.Violation);

    public int Violations => Findings.Count(f => f.Severity == Severity.Violation);

    public int NeedsOperator => Findings.Count(f => f.Severity == Severity.NeedsOperator);
}
