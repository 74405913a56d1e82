namespace GatewaySimulator;

/// <summary>The provider names a payment can be created with; each one picks a webhook format and signing scheme.</summary>
public static class PaymentProviders
{
    public const string Standard = "standard";
    public const string Stripe = "stripe";
    public const string Alipay = "alipay";

    public static bool IsKnown(string? provider) => provider is Standard or Stripe or Alipay;
}
