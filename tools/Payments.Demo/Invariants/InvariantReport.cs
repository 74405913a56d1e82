namespace Payments.Demo.Invariants;

/// <summary>The verdicts on every invariant for one snapshot.</summary>
public sealed record InvariantReport(IReadOnlyList<InvariantVerdict> Verdicts)
{
    public bool AllHold => Verdicts.All(v => v.Holds);

    public IReadOnlyList<Finding> Violations => [.. Verdicts.SelectMany(v => v.Findings).Where(f => f.Severity == Severity.Violation)];

    public IReadOnlyList<Finding> NeedsOperator => [.. Verdicts.SelectMany(v => v.Findings).Where(f => f.Severity == Severity.NeedsOperator)];

    public InvariantVerdict this[string invariant] => Verdicts.Single(v => v.Invariant == invariant);
}
