namespace GatewaySimulator;

/// <summary>Body of <c>POST /sim/payments/{id}/dashboard-refund</c>: how much the merchant refunds in the dashboard.</summary>
internal sealed record DashboardRefund(long AmountMinor);
