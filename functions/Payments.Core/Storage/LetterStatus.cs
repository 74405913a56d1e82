namespace Payments.Storage;

public enum LetterStatus { Parked, Redriven, Discarded }
