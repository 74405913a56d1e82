namespace GatewaySimulator;

/// <summary>The simulator's only source of randomness, so one seed replays the same ids and faults for the same sequence of calls.</summary>
internal sealed class SeededRandom(int seed)
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly Random random = new(seed);
    private readonly Lock gate = new();

    /// <summary>Runs several draws atomically so concurrent callers cannot interleave inside one decision.</summary>
    public T Draw<T>(Func<Random, T> draw)
    {
        lock (gate)
        {
            return draw(random);
        }
    }

    /// <summary>Rates of exactly 0 or 1 consume no draw, so switching a knob fully off or on does not shift the sequence for the others.</summary>
    public static bool Chance(Random random, double probability) =>
        probability switch
        {
            <= 0 => false,
            >= 1 => true,
            _ => random.NextDouble() < probability,
        };

    public static TimeSpan Between(Random random, TimeSpan min, TimeSpan max) =>
        max <= min ? min : min + TimeSpan.FromTicks((long)(random.NextDouble() * (max - min).Ticks));

    public static string Hex(Random random, int length)
    {
        var bytes = new byte[(length + 1) / 2];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    public static string Alphanumeric(Random random, int length) =>
        string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphanumerics[r.Next(Alphanumerics.Length)];
            }
        });
}
