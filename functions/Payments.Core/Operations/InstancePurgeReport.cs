namespace Payments.Operations;

/// <summary>What one retention run did.</summary>
/// <param name="Purged">Finished instances purged.</param>
/// <param name="Kept">Of those, instances whose timeline lines were kept first.</param>
/// <param name="More">True when the run stopped at its bound with more expired instances left for the next.</param>
public sealed record InstancePurgeReport(int Purged, int Kept, bool More);
