namespace Payments.Recovery;

/// <summary>What one reconciler run did: outbox relay, active queries (<paramref name="OrdersExamined"/> counts the due orders read), sagas started for stranded registrations.</summary>
public sealed record ReconcilerReport(RelayReport Relay, int Queried, int Recovered, int SagasStarted = 0, int OrdersExamined = 0);
