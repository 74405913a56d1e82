namespace Payments.Demo.Invariants;

/// <summary>One thing found wrong (or waiting) about one subject: a payment, an order, a sku, a customer, an event.</summary>
public sealed record Finding(string Invariant, Severity Severity, string Subject, string Detail)
{
    public override string ToString() => $"[{Invariant}] {Severity}: {Subject}: {Detail}";
}
