namespace Payments.Gateway.Adyen;

/// <summary>
/// How the Adyen merchant account captures: at once with the authorisation (an AUTHORISATION success is
/// the money), or later by a capture (the money moves on CAPTURE). It must match the account's setting in
/// Adyen's Customer Area: read wrong, an authorisation would be taken for money that never moved.
/// </summary>
public enum AdyenCaptureMode
{
    Immediate,
    Delayed,
}
