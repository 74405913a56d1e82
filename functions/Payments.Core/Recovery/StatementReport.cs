using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Saga;

namespace Payments.Recovery;

public sealed record StatementReport(DateOnly Date, long Lines, int NewDiscrepancies, IReadOnlyList<Discrepancy> Discrepancies);
