namespace Payments.Recovery;

/// <summary>
/// What one reconciler run did: outbox relay, active queries, sagas started for stranded registrations, crashed sagas settled or parked.
/// A step's own run (one timer function) fills its fields and leaves the others 0.
/// </summary>
/// <param name="OrdersExamined">The due orders the active query read.</param>
/// <param name="CrashedSettled">Crashed sagas whose captured payment the sweep started refunding, and captures on cancelled orders whose close had failed.</param>
/// <param name="CrashedParked">Crashed sagas with nothing captured, and sagas stuck in Paid, parked by the sweep.</param>
/// <param name="RefundsRestarted">Refund orchestrations found Failed or Terminated and restarted.</param>
/// <param name="RefundsParked">Refund orchestrations that ended so again after their restart, parked for an operator.</param>
/// <param name="Refunds">The open refunds followed at their gateways (<see cref="RefundTracker"/>).</param>
/// <param name="HeldInInbox">Orders past the active-query threshold not queried because the inbox holds their payment's success, raised to their running saga.</param>
/// <param name="Steps">Each step that ran: what it examined, acted on and left, and how long it took.</param>
/// <param name="NotQueryable">Due orders not queried because their gateway has no outbound query (an intake-only connector such as Adyen's).</param>
public sealed record ReconcilerReport(RelayReport Relay, int Queried, int Recovered, int SagasStarted = 0, int OrdersExamined = 0, int CrashedSettled = 0, int CrashedParked = 0,
    int RefundsRestarted = 0, int RefundsParked = 0, int HeldInInbox = 0, int NotQueryable = 0, RefundTrackReport? Refunds = null,
    IReadOnlyList<RecoveryStepReport>? Steps = null);
