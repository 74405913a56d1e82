using Payments.Contracts;

namespace Payments.Storage;

/// <summary>Something the pipeline could not finish by itself, waiting for an operator.</summary>
public sealed record ParkedItem(string OrderId, string Kind, string Reason, string Detail, DateTimeOffset ParkedAt, RefundRequest? Refund, int OperatorRetries);
