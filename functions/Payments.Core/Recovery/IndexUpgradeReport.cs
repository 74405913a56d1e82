namespace Payments.Recovery;

/// <summary>How many rows one index upgrade indexed; orders awaiting payment are re-indexed every time (idempotently).</summary>
/// <param name="OpenOrchestrations">Sagas and refund orchestrations not completed that this run indexed for the sweeps.</param>
/// <param name="OpenOrchestrationsDone">False while instances are left to index: run the upgrade again.</param>
public sealed record IndexUpgradeReport(int InboxRows, int ParkedLetters, int AwaitingOrders, int CapturedOrders = 0, int OpenOrchestrations = 0, bool OpenOrchestrationsDone = true);
