namespace Payments.Recovery;

public sealed record ReconcilerReport(RelayReport Relay, int Queried, int Recovered, int SagasStarted = 0);
