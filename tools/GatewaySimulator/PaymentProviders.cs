namespace GatewaySimulator;

/// <summary>The provider names a payment can be created with; each one picks a webhook format and signing scheme.</summary>
public static class PaymentProviders
{
    public const string Standard = "standard";
    public const string Stripe = "stripe";
    public const string WeChatPay = "wechatpay";
    public const string Alipay = "alipay";

    /// <summary>Adyen's standard webhooks only: the simulator has no Adyen API, as the pipeline's Adyen connector is intake-only.</summary>
    public const string Adyen = "adyen";

    public static bool IsKnown(string? provider) => provider is Standard or Stripe or WeChatPay or Alipay or Adyen;
}
