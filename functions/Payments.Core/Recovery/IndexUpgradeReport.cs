namespace Payments.Recovery;

/// <summary>How many rows one index upgrade indexed; orders awaiting payment are re-indexed every time (idempotently).</summary>
public sealed record IndexUpgradeReport(int InboxRows, int ParkedLetters, int AwaitingOrders, int CapturedOrders = 0);
