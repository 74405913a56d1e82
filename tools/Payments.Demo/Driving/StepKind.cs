namespace Payments.Demo.Driving;

public enum StepKind { CreatePayment, Register, Pay, PayWrongAmount, Fail }
