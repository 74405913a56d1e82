namespace GatewaySimulator;

internal enum StoreOutcome
{
    Ok,
    Created,
    NotFound,
    Conflict,
    Invalid,
    Unprocessable,
    /// <summary>The gateway declined the operation (e.g. a refund without enough balance); asking again may work later.</summary>
    Refused,
}
