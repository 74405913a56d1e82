namespace Payments.Replay;

/// <summary>How fixtures reach the target: as the gateway posted them, or through its operator replay endpoint.</summary>
public enum ReplayMode
{
    Raw,
    Ops,
}
