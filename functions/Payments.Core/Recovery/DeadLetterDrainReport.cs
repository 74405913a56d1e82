namespace Payments.Recovery;

public sealed record DeadLetterDrainReport(int Redriven, int Parked);
