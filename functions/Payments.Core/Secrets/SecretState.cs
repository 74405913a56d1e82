namespace Payments.Secrets;

/// <summary>Whether a secret setting holds a usable value.</summary>
public enum SecretState
{
    NotSet,
    Set,

    /// <summary>Still the literal <c>@Microsoft.KeyVault(…)</c> text: the platform could not resolve it.</summary>
    UnresolvedReference,
}
