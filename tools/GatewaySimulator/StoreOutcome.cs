namespace GatewaySimulator;

internal enum StoreOutcome
{
    Ok,
    Created,
    NotFound,
    Conflict,
    Invalid,
    Unprocessable,
}
