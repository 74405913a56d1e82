namespace GatewaySimulator;

/// <summary>
/// One answer of the Stripe dialect and whether the endpoint had started executing when it was given:
/// only such answers (a refund, or a refusal of it) are saved for replay under their Idempotency-Key.
/// </summary>
internal sealed record StripeAnswer(IResult Result, bool Executed)
{
    public static StripeAnswer Done(IResult result) => new(result, true);

    public static StripeAnswer Refused(IResult result) => new(result, true);

    public static StripeAnswer Invalid(IResult result) => new(result, false);

    public IResult ToResult() => Result;
}
