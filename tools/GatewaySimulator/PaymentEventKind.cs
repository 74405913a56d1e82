namespace GatewaySimulator;

internal enum PaymentEventKind
{
    Succeeded,
    Failed,
    Refunded,
}
