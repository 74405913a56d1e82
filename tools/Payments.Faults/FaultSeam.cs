namespace Payments.Faults;

/// <summary>The seams fault injection wraps; each draws from its own random streams.</summary>
public enum FaultSeam
{
    Stock = 1,
    Points,
    IntakeDispatch,
    Gateway,
}
