namespace Payments.Recovery;

public enum RedriveResult { Applied, AlreadyResolved, NotFound, StillUnknownOrder, NotRedrivable }
