namespace Payments.Gateway;

/// <summary>
/// The gateway's credentials cannot be read, so no call was sent. The saga's retry policy treats it
/// like any failed call and parks the step when it persists; the health endpoint names the setting.
/// </summary>
public sealed class GatewayCredentialsUnavailableException(string message) : Exception(message);
