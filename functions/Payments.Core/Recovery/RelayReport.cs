namespace Payments.Recovery;

/// <summary>What one relay pass did.</summary>
/// <param name="Examined">The due inbox rows it read.</param>
/// <param name="RaisedSettled">Raised successes confirmed against their ended saga.</param>
/// <param name="RaisedToRunningSagas">
/// (order id, payment id) of every success the inbox holds as raised to a saga that is still running,
/// including those this pass relayed: payments the pipeline has, whose saga has not recorded them yet.
/// </param>
public sealed record RelayReport(int Relayed, int Queued, int Failed, int Examined = 0, int RaisedSettled = 0, IReadOnlySet<(string OrderId, string PaymentId)>? RaisedToRunningSagas = null);
