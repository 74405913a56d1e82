namespace Payments.Secrets;

/// <summary>
/// A secret app setting as the platform handed it to the app. App Service passes a Key Vault
/// reference it could not resolve (secret missing, access not granted yet, vault unreachable)
/// through as its literal text; that text names the vault and is no secret, so it must never
/// become a key. Only a <see cref="SecretState.Set"/> setting has a <see cref="Value"/>.
/// </summary>
public sealed record SecretSetting
{
    private static readonly string[] ReferenceMarkers = ["@Microsoft.KeyVault(", "@Microsoft.AppConfiguration("];

    private readonly string value;

    public SecretSetting(string key, string? rawValue)
    {
        Key = key;
        State = string.IsNullOrWhiteSpace(rawValue) ? SecretState.NotSet
            : IsReference(rawValue) ? SecretState.UnresolvedReference
            : SecretState.Set;
        value = State == SecretState.Set ? rawValue!.Trim() : "";
    }

    /// <summary>The setting's name as configuration spells it, e.g. <c>Connectors:Stripe:WebhookSecrets</c>.</summary>
    public string Key { get; }

    public SecretState State { get; }

    public bool IsSet => State == SecretState.Set;

    /// <summary>The secret itself; asking for it when it is not set is a programming error.</summary>
    public string Value => IsSet ? value : throw new InvalidOperationException($"{Key} is {Describe(State)}; it has no value to use.");

    /// <summary>What is wrong with the setting, naming it but never its value; null when it is set.</summary>
    public string? Problem => State switch
    {
        SecretState.Set => null,
        _ => $"{Key} is {Describe(State)}.",
    };

    // App Service resolves a reference only when it is the whole value, but a reference anywhere in
    // the text means the value is not what the operator meant to give: refuse it all the same.
    private static bool IsReference(string rawValue) =>
        ReferenceMarkers.Any(marker => rawValue.Contains(marker, StringComparison.OrdinalIgnoreCase));

    private static string Describe(SecretState state) => state switch
    {
        SecretState.NotSet => "not set",
        SecretState.UnresolvedReference => "an unresolved Key Vault reference (the secret is missing, the app's identity cannot read it yet, or the vault is unreachable)",
        _ => "set",
    };
}
