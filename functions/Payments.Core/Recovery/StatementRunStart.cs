namespace Payments.Recovery;

/// <summary>The day's statement run an HTTP call or the timer asked for: its instance, and whether it was already under way.</summary>
public sealed record StatementRunStart(DateOnly Date, string InstanceId, bool AlreadyRunning);
