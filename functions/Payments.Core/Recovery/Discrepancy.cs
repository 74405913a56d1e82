using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Saga;

namespace Payments.Recovery;

public sealed record Discrepancy(DateOnly Date, DiscrepancyClass Class, string PaymentId, string OrderId, long AmountMinor, string Currency, string Action, string Detail);
