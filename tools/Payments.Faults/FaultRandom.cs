using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Payments.Faults;

/// <summary>
/// The seeded random source behind every fault decision, handed to Polly's chaos strategies as
/// their <c>Randomizer</c>. Draws come from one stream per seam and key (an order, an event, a
/// payment), so a seed decides which attempt of which order fails however the host interleaves
/// concurrent orders; one shared stream would hand its numbers out in scheduling order.
/// </summary>
public sealed class FaultRandom(int seed)
{
    private readonly AsyncLocal<string?> currentKey = new();
    private readonly ConcurrentDictionary<(FaultSeam Seam, string Key), Stream> streams = new();

    public int Seed => seed;

    /// <summary>A randomizer for one seam; it draws from the stream of the key set by <see cref="Use"/>.</summary>
    public Func<double> Randomizer(FaultSeam seam) =>
        () => streams.GetOrAdd((seam, currentKey.Value ?? ""), k => new Stream(StreamSeed(k.Seam, k.Key))).Next();

    /// <summary>Draws of this async flow come from <paramref name="key"/>'s stream until the scope ends.</summary>
    public KeyScope Use(string key)
    {
        var previous = currentKey.Value;
        currentKey.Value = key;
        return new KeyScope(this, previous);
    }

    /// <summary>Stable across processes (unlike <see cref="string.GetHashCode()"/>), so a seed means the same on every run.</summary>
    private int StreamSeed(FaultSeam seam, string key) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{seam}/{key}")));

    /// <summary>Restores the key that was current before <see cref="Use"/>.</summary>
    public readonly struct KeyScope(FaultRandom owner, string? previous) : IDisposable
    {
        public void Dispose() => owner.currentKey.Value = previous;
    }

    /// <summary><see cref="Random"/> is not thread-safe; a retried step and a reconciler may share a key.</summary>
    private sealed class Stream(int seed)
    {
        private readonly Random random = new(seed);
        private readonly Lock gate = new();

        public double Next()
        {
            lock (gate)
            {
                return random.NextDouble();
            }
        }
    }
}
