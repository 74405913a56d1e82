namespace Payments.Gateway;

/// <summary>An order names a provider no connector of this deployment serves; registration refuses such orders, so this is a configuration change.</summary>
public sealed class UnknownProviderException(string provider, IEnumerable<string> known)
    : Exception($"No gateway connector is registered for provider '{provider}' (registered: {string.Join(", ", known.Order(StringComparer.Ordinal))}).");
