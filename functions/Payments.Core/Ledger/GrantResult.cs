namespace Payments.Ledger;

public enum GrantResult { Granted, AlreadyGranted }
