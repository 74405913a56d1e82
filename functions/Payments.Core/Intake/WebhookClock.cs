namespace Payments.Intake;

/// <summary>The replay window shared by every signature scheme that signs a unix timestamp.</summary>
internal static class WebhookClock
{
    public static bool IsWithin(long unixSeconds, DateTimeOffset now, TimeSpan tolerance)
    {
        var nowSeconds = now.ToUnixTimeSeconds();
        return Math.Abs(nowSeconds - unixSeconds) <= (long)tolerance.TotalSeconds;
    }
}
