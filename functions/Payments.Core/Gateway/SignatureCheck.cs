using System.Security.Cryptography;

namespace Payments.Gateway;

/// <summary>The two checks every HMAC webhook scheme shares: the replay window and the constant-time key match.</summary>
internal static class SignatureCheck
{
    /// <summary>
    /// True when the signed timestamp is within the tolerance of now. Compared as a range around now,
    /// never as <c>|now - t|</c>: the attacker picks <c>t</c>, and <c>now - t</c> overflows for
    /// timestamps near <see cref="long.MinValue"/> (where <c>Math.Abs</c> throws).
    /// </summary>
    public static bool IsWithin(long unixSeconds, DateTimeOffset now, TimeSpan tolerance)
    {
        var nowSeconds = now.ToUnixTimeSeconds();
        var window = (long)tolerance.TotalSeconds;
        return unixSeconds >= nowSeconds - window && unixSeconds <= nowSeconds + window;
    }

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
