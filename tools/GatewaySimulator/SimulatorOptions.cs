using System.Globalization;

namespace GatewaySimulator;

/// <summary>Knobs for one simulator instance: where it listens, where webhooks go, how they are signed and which faults it injects.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Development-only Standard Webhooks secret; the part after <c>whsec_</c> is base64 of a 32-byte key.</summary>
    public const string DefaultStandardSecret = "whsec_Z2F0ZXdheS1zaW11bGF0b3Itc3RhbmRhcmQta2V5ISE=";

    /// <summary>Development-only Stripe endpoint secret; Stripe uses the string's UTF-8 bytes as the HMAC key.</summary>
    public const string DefaultStripeSecret = "whsec_gateway_simulator_stripe_dev_secret";

    private const string StandardSecretPrefix = "whsec_";

    public int Port { get; init; }

    public string CallbackBaseUrl { get; init; } = "http://127.0.0.1:7071";

    public string StandardSecret { get; init; } = DefaultStandardSecret;

    public string StripeSecret { get; init; } = DefaultStripeSecret;

    /// <summary>The Alipay app id the simulator's Alipay dialect serves (and signs into notifications).</summary>
    public string AlipayAppId { get; init; } = "2021000000000000";

    /// <summary>The Alipay seller (partner) id named in notifications.</summary>
    public string AlipaySellerId { get; init; } = "2088000000000000";

    /// <summary>When set, every /v1 request must carry <c>Authorization: Bearer {ApiKey}</c>.</summary>
    public string? ApiKey { get; init; }

    public int Seed { get; init; } = 1;

    public double DuplicateRate { get; init; }

    public double ReorderRate { get; init; }

    public double LossRate { get; init; }

    public TimeSpan DeliveryDelayMin { get; init; } = TimeSpan.Zero;

    public TimeSpan DeliveryDelayMax { get; init; } = TimeSpan.Zero;

    public double ApiErrorRate { get; init; }

    public double ApiTimeoutRate { get; init; }

    public TimeSpan ApiTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<TimeSpan> RetrySchedule { get; init; } =
    [
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(2),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(30),
    ];

    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries in flight at once; 1 keeps webhooks in creation order (apart from injected reordering) and a seed fully reproducible.</summary>
    public int MaxConcurrentDeliveries { get; init; } = 1;

    /// <summary>
    /// Broken rows written into every non-empty CSV statement, after its first row (an amount that is
    /// not a number, quoted ids with commas and quotes): a gateway's export glitch the reconciliation
    /// must isolate, report and survive. 0 by default.
    /// </summary>
    public int MalformedStatementLines { get; init; }

    /// <summary>
    /// WeChat Pay mid-way through its platform certificate → public key switch: it also holds an older
    /// platform certificate key (both handed out in the connector settings) and signs each API answer with
    /// the key the request's <c>Wechatpay-Serial</c> names, or the certificate's when the request names none.
    /// Off by default: one public key.
    /// </summary>
    public bool WeChatPayKeyMigration { get; init; }

    /// <summary>
    /// The Stripe account's settlement currency (USD, EUR, GBP, CNY or JPY): a Stripe charge in another
    /// currency books its balance transaction in this one, converted at fixed rates with
    /// <c>exchange_rate</c> set, as a EUR charge on a US account does. Unset by default: every charge
    /// books in its own currency.
    /// </summary>
    public string? StripeSettlementCurrency { get; init; }

    /// <summary>Log level of the embedded host; Warning keeps test output quiet, Information shows every delivery.</summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;

    internal byte[] StandardKey => Convert.FromBase64String(StandardSecret[StandardSecretPrefix.Length..]);

    /// <summary>Binds options from configuration (command line, environment) with the standard binder.</summary>
    /// <remarks><c>RetrySchedule</c> accepts indexed keys (<c>--RetrySchedule:0 00:00:01</c>) or one comma-separated value; either replaces the default.</remarks>
    public static SimulatorOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Get<SimulatorOptions>() ?? new SimulatorOptions();

        // The binder appends indexed items to the default list instead of replacing it.
        var schedule = configuration.GetSection(nameof(RetrySchedule));
        if (schedule.Exists())
        {
            var delays = schedule.Value is { } commaSeparated
                ? commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(delay => TimeSpan.Parse(delay, CultureInfo.InvariantCulture))
                    .ToArray()
                : schedule.Get<TimeSpan[]>() ?? [];
            options = options with { RetrySchedule = delays };
        }

        return options;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Port must be 0..65535, was {Port}.", nameof(Port));
        }

        if (!Uri.TryCreate(CallbackBaseUrl, UriKind.Absolute, out var callback)
            || (callback.Scheme != Uri.UriSchemeHttp && callback.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"CallbackBaseUrl must be an absolute http(s) URL, was '{CallbackBaseUrl}'.", nameof(CallbackBaseUrl));
        }

        // The simulator exists for local and CI runs; refusing other hosts keeps a typo from sending traffic off the machine.
        if (!callback.IsLoopback)
        {
            throw new ArgumentException($"CallbackBaseUrl must point at a loopback host, was '{CallbackBaseUrl}'.", nameof(CallbackBaseUrl));
        }

        if (!StandardSecret.StartsWith(StandardSecretPrefix, StringComparison.Ordinal)
            || !IsBase64(StandardSecret[StandardSecretPrefix.Length..]))
        {
            throw new ArgumentException("StandardSecret must be 'whsec_' followed by a base64 key.", nameof(StandardSecret));
        }

        if (string.IsNullOrEmpty(StripeSecret))
        {
            throw new ArgumentException("StripeSecret must not be empty.", nameof(StripeSecret));
        }

        RequireRate(DuplicateRate, nameof(DuplicateRate));
        RequireRate(ReorderRate, nameof(ReorderRate));
        RequireRate(LossRate, nameof(LossRate));
        RequireRate(ApiErrorRate, nameof(ApiErrorRate));
        RequireRate(ApiTimeoutRate, nameof(ApiTimeoutRate));
        if (ApiErrorRate + ApiTimeoutRate > 1)
        {
            throw new ArgumentException("ApiErrorRate + ApiTimeoutRate must not exceed 1.", nameof(ApiTimeoutRate));
        }

        if (DeliveryDelayMin < TimeSpan.Zero || DeliveryDelayMax < DeliveryDelayMin)
        {
            throw new ArgumentException("Need 0 <= DeliveryDelayMin <= DeliveryDelayMax.", nameof(DeliveryDelayMax));
        }

        if (ApiTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("ApiTimeout must not be negative.", nameof(ApiTimeout));
        }

        if (DeliveryTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("DeliveryTimeout must be positive.", nameof(DeliveryTimeout));
        }

        if (RetrySchedule.Any(delay => delay < TimeSpan.Zero))
        {
            throw new ArgumentException("RetrySchedule delays must not be negative.", nameof(RetrySchedule));
        }

        if (MaxConcurrentDeliveries < 1)
        {
            throw new ArgumentException("MaxConcurrentDeliveries must be at least 1.", nameof(MaxConcurrentDeliveries));
        }

        if (StripeSettlementCurrency is not null && !StripeSettlement.Known.Contains(StripeSettlementCurrency))
        {
            throw new ArgumentException($"StripeSettlementCurrency must be one of {string.Join(", ", StripeSettlement.Known)}, was '{StripeSettlementCurrency}'.", nameof(StripeSettlementCurrency));
        }

        if (MalformedStatementLines < 0)
        {
            throw new ArgumentException("MalformedStatementLines must not be negative.", nameof(MalformedStatementLines));
        }
    }

    private static void RequireRate(double rate, string name)
    {
        if (double.IsNaN(rate) || rate is < 0 or > 1)
        {
            throw new ArgumentException($"{name} must be within 0..1, was {rate}.", name);
        }
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return text.Length > 0 && Convert.TryFromBase64String(text, buffer, out var written) && written > 0;
    }
}
