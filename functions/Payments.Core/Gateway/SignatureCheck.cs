using System.Security.Cryptography;

namespace Payments.Gateway;

/// <summary>The two checks every HMAC webhook scheme shares: the replay window and the constant-time key match.</summary>
internal static class SignatureCheck
{
    public static bool IsWithin(long unixSeconds, DateTimeOffset now, TimeSpan tolerance) =>
        Math.Abs(now.ToUnixTimeSeconds() - unixSeconds) <= (long)tolerance.TotalSeconds;

    /// <summary>True when any presented signature is the HMAC-SHA256 of the signed content under any configured key (rotation).</summary>
    public static bool AnyKeyMatches(IEnumerable<byte[]> keys, byte[] signedContent, IReadOnlyCollection<byte[]> presented)
    {
        foreach (var key in keys)
        {
            var expected = HMACSHA256.HashData(key, signedContent);
            if (presented.Any(p => CryptographicOperations.FixedTimeEquals(p, expected)))
            {
                return true;
            }
        }
        return false;
    }
}
