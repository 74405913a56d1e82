namespace Payments.Operations;

/// <summary>Waiting work of one kind and reason: how many, and since when the oldest waits.</summary>
public sealed record WorkGroup(string Kind, string Reason, int Count, DateTimeOffset Oldest, double OldestAgeMinutes);
