using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests;

/// <summary>
/// Checks on a compiled template that each return what they found wrong (empty = fine), so the same
/// function is shown to catch a planted fault in a negative test.
/// </summary>
public static partial class DeploymentChecks
{
    /// <summary>Text that only a secret or a key-bearing connection string contains.</summary>
    public static readonly IReadOnlyList<string> PlainSecretMarkers = ["whsec_", "AccountKey=", "SharedAccessKey=", "SharedAccessSignature=", "PRIVATE KEY-----"];

    /// <summary>
    /// Named like secrets but none: the Application Insights connection string only names the ingestion
    /// endpoint and component, and the component has local (key) authentication disabled.
    /// </summary>
    private static readonly HashSet<string> NotSecrets = new(StringComparer.OrdinalIgnoreCase) { "APPLICATIONINSIGHTS_CONNECTION_STRING" };

    private const string KeyVaultReference = "@Microsoft.KeyVault(SecretUri=";

    /// <summary>Markers of plain secrets found anywhere in the text.</summary>
    public static IReadOnlyList<string> PlainSecretsIn(string text) =>
        PlainSecretMarkers.Where(m => text.Contains(m, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Whether a setting name says it holds a secret (…Secrets, …ApiKey, …ApiV3Key, …PrivateKey, …HmacKeys, …Password, …ConnectionString, …).</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>Secret-named settings whose value is not a Key Vault reference.</summary>
    public static IReadOnlyList<string> SecretsNotInKeyVault(IReadOnlyDictionary<string, JsonNode?> settings) =>
        settings
            .Where(s => IsSecretName(s.Key) && !NotSecrets.Contains(s.Key))
            .Where(s => !(s.Value is JsonValue v && v.TryGetValue<string>(out var text) && text.Contains(KeyVaultReference, StringComparison.Ordinal)))
            .Select(s => s.Key)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Secure parameters (in any template) that carry a default value.</summary>
    public static IReadOnlyList<string> SecureParametersWithDefaults(JsonObject root) =>
        CompiledTemplate.Scopes(root)
            .SelectMany(s => s.ParameterDeclarations)
            .Where(p => p.Value?["type"]?.GetValue<string>() is { } type
                && type.StartsWith("secure", StringComparison.OrdinalIgnoreCase)
                && p.Value["defaultValue"] is not null)
            .Select(p => p.Key)
            .ToList();

    /// <summary>Security settings that are off or missing on the app, storage, Service Bus, Key Vault and telemetry.</summary>
    public static IReadOnlyList<string> SecurityViolations(JsonObject root)
    {
        var violations = new List<string>();
        void Expect(IEnumerable<TemplateResource> resources, string kind, Func<JsonObject, JsonNode?> read, string path, JsonNode expected)
        {
            var list = resources.ToList();
            if (list.Count == 0)
            {
                violations.Add($"no {kind} in the template");
            }
            foreach (var resource in list)
            {
                // Literal values only: a flag left to an expression could be turned off by a parameter.
                var actual = read(resource.Properties);
                if (!JsonNode.DeepEquals(actual, expected))
                {
                    violations.Add($"{kind} {resource.Name}: {path} is {actual?.ToJsonString() ?? "absent"}, expected {expected.ToJsonString()}");
                }
            }
        }

        var sites = CompiledTemplate.ResourcesOfType(root, "Microsoft.Web/sites");
        Expect(sites, "site", p => p["httpsOnly"], "httpsOnly", true);
        Expect(sites, "site", p => p["siteConfig"]?["minTlsVersion"], "siteConfig.minTlsVersion", "1.2");
        Expect(sites, "site", p => p["siteConfig"]?["ftpsState"], "siteConfig.ftpsState", "Disabled");
        Expect(CompiledTemplate.ResourcesOfType(root, "Microsoft.Web/sites/basicPublishingCredentialsPolicies"),
            "publishing credentials policy", p => p["allow"], "allow", false);

        var accounts = CompiledTemplate.ResourcesOfType(root, "Microsoft.Storage/storageAccounts");
        Expect(accounts, "storage account", p => p["allowBlobPublicAccess"], "allowBlobPublicAccess", false);
        Expect(accounts, "storage account", p => p["allowSharedKeyAccess"], "allowSharedKeyAccess", false);
        Expect(accounts, "storage account", p => p["minimumTlsVersion"], "minimumTlsVersion", "TLS1_2");
        Expect(accounts, "storage account", p => p["supportsHttpsTrafficOnly"], "supportsHttpsTrafficOnly", true);

        var serviceBus = CompiledTemplate.ResourcesOfType(root, "Microsoft.ServiceBus/namespaces");
        Expect(serviceBus, "Service Bus namespace", p => p["disableLocalAuth"], "disableLocalAuth", true);
        Expect(serviceBus, "Service Bus namespace", p => p["minimumTlsVersion"], "minimumTlsVersion", "1.2");

        Expect(CompiledTemplate.ResourcesOfType(root, "Microsoft.KeyVault/vaults"),
            "Key Vault", p => p["enableRbacAuthorization"], "enableRbacAuthorization", true);
        Expect(CompiledTemplate.ResourcesOfType(root, "Microsoft.Insights/components"),
            "Application Insights", p => p["DisableLocalAuth"], "DisableLocalAuth", true);
        return violations;
    }

    /// <summary>
    /// What is missing for an unresolved secret to reach an operator: an availability test that
    /// expects 200 from <c>/api/health</c> (which answers 503 naming the setting), and a metric
    /// alert on that test that notifies the action group.
    /// </summary>
    public static IReadOnlyList<string> HealthWatchProblems(JsonObject root)
    {
        var problems = new List<string>();
        var healthTests = CompiledTemplate.ResourcesOfType(root, "Microsoft.Insights/webtests")
            .Where(t => t.Properties["Request"]?["RequestUrl"]?.GetValue<string>() is { } url
                && url.Contains("/api/health", StringComparison.Ordinal)
                && t.Properties["ValidationRules"]?["ExpectedHttpStatusCode"]?.GetValue<int>() == 200
                && t.Properties["Enabled"]?.GetValue<bool>() == true)
            .ToList();
        if (healthTests.Count == 0)
        {
            problems.Add("no enabled availability test expects 200 from /api/health");
        }
        var alerts = CompiledTemplate.ResourcesOfType(root, "Microsoft.Insights/metricAlerts")
            .Where(a => a.Properties["criteria"]?["odata.type"]?.GetValue<string>() == "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria"
                && a.Properties["enabled"]?.GetValue<bool>() == true
                && a.Properties["actions"] is JsonArray { Count: > 0 })
            .ToList();
        if (alerts.Count == 0)
        {
            problems.Add("no enabled metric alert with an action fires on an availability test");
        }
        return problems;
    }

    [GeneratedRegex(@"(secrets?|apikey|apiv3key|privatekey|hmackeys?|password|accountkey|sharedaccesskey|connectionstring|connection_string)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
