namespace Payments.Recovery;

/// <summary>What an operator's re-drive of a dead letter did.</summary>
public enum RedriveResult { Applied, AlreadyResolved, NotFound, StillUnknownOrder, NotRedrivable }
