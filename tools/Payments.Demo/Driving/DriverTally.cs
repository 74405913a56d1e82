namespace Payments.Demo.Driving;

/// <summary>What the customers and the order service did, as counted by the driver.</summary>
public sealed record DriverTally(
    int PaymentsCreated,
    int OrdersRegistered,
    int Paid,
    int PaidWrongAmount,
    int Failed,
    int PaymentsRefusedByGateway,
    int FailuresRefusedByGateway,
    int SecondCaptures = 0,
    int SagasTerminatedAfterPaid = 0,
    int TerminationsMissed = 0,
    int AfterSalesRefunds = 0,
    int DashboardRefunds = 0,
    int RefundsMissed = 0,
    int RefundsFailedAfterAcceptance = 0,
    int SagasTerminatedBeforePayment = 0,
    int DisputesLost = 0,
    int DisputesWon = 0,
    int DisputesSkipped = 0);
