namespace Payments.Contracts;

/// <summary>
/// One gateway whose statement could not be read for a day (down, refusing, or a download cut short):
/// its lines are not in the run yet; the run retries it while the other gateways' lines are reconciled.
/// The reason names the error, never the statement's content.
/// </summary>
public sealed record StatementSourceFailure(string Provider, string Reason);
