namespace GatewaySimulator;

/// <summary>
/// The provider names a payment can be created with; each one picks a webhook format, signing scheme
/// and merchant-API dialect. <see cref="All"/> is the one list of dialects the simulator speaks: the
/// demo's default gateway mix and <see cref="SimulatorServer.ConnectorSettings"/> follow it, so a
/// dialect added here is in every demo and chaos run.
/// </summary>
public static class PaymentProviders
{
    public const string Standard = "standard";
    public const string Stripe = "stripe";
    public const string WeChatPay = "wechatpay";
    public const string Alipay = "alipay";

    /// <summary>Adyen's standard webhooks only: the simulator has no Adyen API, as the pipeline's Adyen connector is intake-only.</summary>
    public const string Adyen = "adyen";

    /// <summary>
    /// Every dialect the simulator speaks both ways. Adyen is not in it: with no outbound port its
    /// timeouts and refunds park for an operator, which a chaos run would count as unsettled money.
    /// </summary>
    public static IReadOnlyList<string> All { get; } = [Standard, Stripe, WeChatPay, Alipay];

    /// <summary>The currency a demo or chaos order on this dialect is priced in: WeChat Pay and Alipay (domestic) settle CNY only.</summary>
    public static string DemoCurrency(string provider) => provider is WeChatPay or Alipay ? "CNY" : "EUR";

    public static bool IsKnown(string? provider) => provider is Adyen || (provider is not null && All.Contains(provider));
}
