using GatewaySimulator;
using Microsoft.DurableTask.Client;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;

namespace Payments.Demo.Invariants;

/// <summary>One grant row of the points ledger.</summary>
public sealed record PointsGrant(string CustomerId, string OrderId, long Points);
