namespace Payments.Ledger;

/// <summary>Whether a points grant was made now or had been made before.</summary>
public enum GrantResult { Granted, AlreadyGranted }
