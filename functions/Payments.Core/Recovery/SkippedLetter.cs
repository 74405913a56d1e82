namespace Payments.Recovery;

/// <summary>A parked letter "re-drive all" passed over without counting it, and why (<c>no_stored_callback</c>, <c>already_resolved</c>).</summary>
public sealed record SkippedLetter(string Id, string Reason);
