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
    private readonly ConcurrentDictionary<string, byte> executing = new(StringComparer.Ordinal);

    /// <summary>
    /// Stripe's answer to a request whose key an earlier request is still executing under: 409, nothing
    /// executed and nothing saved, so the same request later gets the first one's answer.
    /// </summary>
    public static StripeAnswer InUse(string key) => StripeAnswer.Invalid(StripeApi.Error(StatusCodes.Status409Conflict, "idempotency_error", "idempotency_key_in_use",
        $"There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): {key}. Please try again later."));

    /// <summary>Marks the key as executing; false when a request under it already is.</summary>
    public bool TryBegin(string key) => executing.TryAdd(key, 0);

    public void End(string key) => executing.TryRemove(key, out _);

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
