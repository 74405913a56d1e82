namespace Payments.Operations;

/// <summary>A bulk run: the action, whether it was a dry run, how many items matched, and each item's outcome.</summary>
public sealed record BulkReport(string Action, bool DryRun, int Matched, bool Truncated, IReadOnlyList<BulkOutcome> Items);
