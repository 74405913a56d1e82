namespace Payments.Storage;

/// <summary>Where a dead letter stands with the operator.</summary>
public enum LetterStatus { Parked, Redriven, Discarded }
