namespace Payments.Recovery;

/// <summary>A statement run that gave up after its retries: the day and why, for the day's report.</summary>
public sealed record StatementRunFailure(DateOnly Date, string Reason);
