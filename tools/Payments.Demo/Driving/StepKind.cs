namespace Payments.Demo.Driving;

/// <summary>
/// One action of the order service, the customer or an operator. <see cref="CreateSecondPayment"/> and
/// <see cref="PaySecond"/> act on a second payment of the same order; <see cref="TerminateWhenPaid"/>
/// terminates the order's saga through the Durable client once its order shows Paid.
/// </summary>
/// <see cref="RefundAfterSaleWhenCompleted"/> and <see cref="RefundInDashboardWhenCompleted"/> wait for the order to complete, then refund it.
public enum StepKind { CreatePayment, Register, Pay, PayWrongAmount, Fail, CreateSecondPayment, PaySecond, TerminateWhenPaid, RefundAfterSaleWhenCompleted, RefundInDashboardWhenCompleted, RefundFailingAfterSaleWhenCompleted, TerminateWhileAwaitingPayment, DisputeLostWhenCompleted, DisputeWonWhenCompleted }
