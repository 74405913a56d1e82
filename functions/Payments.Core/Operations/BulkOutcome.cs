namespace Payments.Operations;

/// <summary>What a bulk run did (or, in a dry run, would do) to one item.</summary>
public sealed record BulkOutcome(string Id, string Kind, string? OrderId, string Outcome);
