namespace Payments.Recovery;

/// <summary>What one reconciler run did; <paramref name="OrdersExamined"/> counts the due orders its active query read.</summary>
public sealed record ReconcilerReport(RelayReport Relay, int Queried, int Recovered, int SagasStarted = 0, int OrdersExamined = 0);
