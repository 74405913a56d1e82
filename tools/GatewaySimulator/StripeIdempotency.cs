using System.Collections.Concurrent;

namespace GatewaySimulator;

/// <summary>
/// Stripe's idempotency memory for the dialect's POST endpoints: the first executed answer per key,
/// errors included, with the parameters it was given for. A success is also kept by the store (the
/// refund itself); the memory is what makes a refused request answer the same refusal again.
/// </summary>
internal sealed class StripeIdempotency
{
    private readonly ConcurrentDictionary<string, (string Parameters, StripeAnswer Answer)> answers = new(StringComparer.Ordinal);

    /// <summary>The saved answer for the key, an <c>idempotency_error</c> when other parameters come with it, or null when the key is new.</summary>
    public StripeAnswer? Find(string key, string parameters) =>
        !answers.TryGetValue(key, out var saved) ? null
        : saved.Parameters == parameters ? saved.Answer with { Executed = false }
        : StripeAnswer.Invalid(StripeApi.Error(StatusCodes.Status400BadRequest, "idempotency_error", null,
            $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."));

    public void Save(string key, string parameters, StripeAnswer answer) => answers.TryAdd(key, (parameters, answer));

    /// <summary>Forgets every key, as Stripe does after 24 h.</summary>
    public void Clear() => answers.Clear();
}
