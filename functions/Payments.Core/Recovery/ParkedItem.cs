using System.Text.Json;
using Azure.Data.Tables;
using Payments.Hosting;
using Payments.Saga;

namespace Payments.Recovery;

/// <summary>Something the pipeline could not finish by itself, waiting for an operator.</summary>
public sealed record ParkedItem(string OrderId, string Kind, string Reason, string Detail, DateTimeOffset ParkedAt, RefundRequest? Refund, int OperatorRetries);
