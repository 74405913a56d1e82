namespace Payments.Operations;

/// <summary>What the timeline showed of one Durable instance when retention purged it: its lines, and whether they came from its history.</summary>
public sealed record KeptInstance(string InstanceId, IReadOnlyList<TimelineEntry> Entries, bool FromHistory);
