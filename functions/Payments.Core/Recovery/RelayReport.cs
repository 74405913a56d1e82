namespace Payments.Recovery;

/// <summary>What one relay pass did.</summary>
/// <param name="Examined">The due inbox rows it read.</param>
/// <param name="RaisedSettled">Raised successes confirmed against their ended saga.</param>
/// <param name="Parked">Rows that failed their last allowed pass and were parked as dead letters.</param>
public sealed record RelayReport(int Relayed, int Queued, int Failed, int Examined = 0, int RaisedSettled = 0, int Parked = 0)
{
    /// <summary>For the report of a step that does not relay.</summary>
    public static RelayReport None { get; } = new(0, 0, 0);
}
