using System.Text.Json.Nodes;

namespace Payments.Infra.Tests;

/// <summary>
/// Issue 16, items 2 and 4 to 8: checks on the compiled template as a given parameter file makes it
/// (<see cref="ArmEvaluator"/>), each returning what it found wrong (empty = fine), so the same check
/// is shown to catch a fault planted in a copy.
/// </summary>
public static class ProductionChecks
{
    /// <summary>The plan starts as written: Flex Consumption only, no run-from-package setting, and (when warm is required) always-ready http and durable groups.</summary>
    public static IReadOnlyList<string> PlanProblems(ArmEvaluator ev, bool requireWarm)
    {
        var problems = new List<string>();
        foreach (var plan in Deployed(ev, "Microsoft.Web/serverfarms"))
        {
            var sku = ev.Evaluate(plan.Resource["sku"], plan.Scope);
            if (sku?["name"]?.GetValue<string>() != "FC1")
            {
                problems.Add($"plan {plan.Name}: sku {sku?.ToJsonString()}, expected Flex Consumption FC1");
            }
        }
        foreach (var config in Deployed(ev, "Microsoft.Web/sites/config").Where(c => c.Name.Contains("appsettings", StringComparison.Ordinal)))
        {
            if (ev.Evaluate(config.Resource["properties"], config.Scope) is JsonObject settings && settings.ContainsKey("WEBSITE_RUN_FROM_PACKAGE"))
            {
                problems.Add("WEBSITE_RUN_FROM_PACKAGE is set: Flex Consumption rejects it, and '1' without a content share cannot start");
            }
        }
        foreach (var site in Deployed(ev, "Microsoft.Web/sites"))
        {
            var config = ev.Evaluate(site.Properties["functionAppConfig"], site.Scope);
            if (config?["deployment"]?["storage"]?["type"]?.GetValue<string>() != "blobContainer")
            {
                problems.Add($"site {site.Name}: no Flex deployment container");
            }
            if (!requireWarm)
            {
                continue;
            }
            var ready = (config?["scaleAndConcurrency"]?["alwaysReady"] as JsonArray ?? [])
                .Where(g => g?["instanceCount"] is JsonValue n && n.TryGetValue<long>(out var count) && count >= 1)
                .Select(g => g!["name"]!.GetValue<string>())
                .ToHashSet();
            foreach (var group in new[] { "http", "durable" }.Where(g => !ready.Contains(g)))
            {
                problems.Add($"site {site.Name}: no always-ready instance for the `{group}` group");
            }
        }
        return problems;
    }

    /// <summary>Zone redundant end to end: the plan, the storage replication and the Service Bus namespace.</summary>
    public static IReadOnlyList<string> ZoneProblems(ArmEvaluator ev)
    {
        var problems = new List<string>();
        foreach (var plan in Deployed(ev, "Microsoft.Web/serverfarms"))
        {
            if (!IsTrue(ev.Evaluate(plan.Properties["zoneRedundant"], plan.Scope)))
            {
                problems.Add($"plan {plan.Name} is not zone redundant");
            }
        }
        foreach (var account in Deployed(ev, "Microsoft.Storage/storageAccounts"))
        {
            var sku = ev.Evaluate(account.Resource["sku"]?["name"], account.Scope)?.GetValue<string>();
            if (sku is not ("Standard_ZRS" or "Standard_GZRS"))
            {
                problems.Add($"storage account {account.Name} replicates {sku}, not across zones");
            }
        }
        foreach (var ns in Deployed(ev, "Microsoft.ServiceBus/namespaces"))
        {
            var sku = ev.Evaluate(ns.Resource["sku"]?["name"], ns.Scope)?.GetValue<string>();
            if (sku != "Premium" || !IsTrue(ev.Evaluate(ns.Properties["zoneRedundant"], ns.Scope)))
            {
                problems.Add($"Service Bus namespace {ns.Name} is {sku} without zone redundancy (only Premium has zones)");
            }
        }
        return problems;
    }

    /// <summary>
    /// Deployed modules whose parameter declarations (minLength) refuse the values they are given:
    /// Azure rejects such a deployment before creating anything.
    /// </summary>
    public static IReadOnlyList<string> Refusals(ArmEvaluator ev)
    {
        var refusals = new List<string>();
        foreach (var module in Deployed(ev, "Microsoft.Resources/deployments").Where(m => m.NestedScope is not null))
        {
            foreach (var (name, declaration) in module.NestedScope!.ParameterDeclarations)
            {
                if (declaration?["minLength"] is JsonValue min && min.TryGetValue<int>(out var minLength)
                    && module.Properties["parameters"]?[name]?["value"] is { } passed
                    && ev.Evaluate(passed, module.Scope) is JsonValue value && !ArmEvaluator.IsUnknown(value)
                    && value.TryGetValue<string>(out var text) && text.Length < minLength)
                {
                    refusals.Add($"{module.Name}: {name}");
                }
            }
        }
        return refusals;
    }

    /// <summary>What a production deployment without an alert recipient or app registration would not be refused for.</summary>
    public static IReadOnlyList<string> ProductionGuardProblems(JsonObject template, JsonObject prodValues)
    {
        var problems = new List<string>();
        foreach (var required in new[] { "alertEmail", "authClientId" })
        {
            var values = prodValues.DeepClone().AsObject();
            values[required] = new JsonObject { ["value"] = "" };
            if (!Refusals(new ArmEvaluator(template, values)).Any(r => r.EndsWith(": " + required, StringComparison.Ordinal)))
            {
                problems.Add($"a production deployment with an empty {required} is not refused");
            }
        }
        return problems;
    }

    /// <summary>
    /// Telemetry the log alerts query that host.json's adaptive sampling may drop. Sampling covers
    /// requests, dependencies, events, traces and exceptions; metrics are never sampled.
    /// </summary>
    public static IReadOnlyList<string> SamplingProblems(JsonObject hostJson, JsonObject template)
    {
        var sampling = hostJson["logging"]?["applicationInsights"]?["samplingSettings"];
        if (sampling?["isEnabled"]?.GetValue<bool>() == false)
        {
            return [];
        }
        var excluded = (sampling?["excludedTypes"]?.GetValue<string>() ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var sampledTables = new Dictionary<string, string>
        {
            ["traces"] = "Trace", ["requests"] = "Request", ["dependencies"] = "Dependency", ["customEvents"] = "Event", ["exceptions"] = "Exception",
        };
        var problems = new List<string>();
        foreach (var rule in CompiledTemplate.ResourcesOfType(template, "Microsoft.Insights/scheduledQueryRules"))
        {
            var queries = rule.Scope.Template["variables"]?["logAlerts"] is JsonArray alerts
                ? alerts.Select(a => a!["query"]!.GetValue<string>())
                : (rule.Properties["criteria"]?["allOf"] as JsonArray ?? []).Select(c => c!["query"]?.GetValue<string>() ?? "");
            foreach (var query in queries)
            {
                var table = query.Split('|', 2)[0].Trim();
                if (sampledTables.TryGetValue(table, out var type) && !excluded.Contains(type))
                {
                    problems.Add($"alert query on `{table}` can miss events: host.json samples {type} telemetry");
                }
            }
        }
        return problems;
    }

    /// <summary>App Service authentication in front of everything but callbacks and health, for the configured app registration.</summary>
    public static IReadOnlyList<string> AuthProblems(ArmEvaluator ev)
    {
        var auth = Deployed(ev, "Microsoft.Web/sites/config").Where(c => c.Name.Contains("authsettingsV2", StringComparison.Ordinal)).ToList();
        if (auth.Count != 1)
        {
            return ["no App Service authentication (authsettingsV2) is deployed"];
        }
        var problems = new List<string>();
        var properties = ev.Evaluate(auth[0].Resource["properties"], auth[0].Scope)!;
        if (!IsTrue(properties["platform"]?["enabled"]))
        {
            problems.Add("authentication platform not enabled");
        }
        var validation = properties["globalValidation"];
        if (!IsTrue(validation?["requireAuthentication"]) || validation?["unauthenticatedClientAction"]?.GetValue<string>() != "Return401")
        {
            problems.Add("unauthenticated requests are not refused with 401");
        }
        var excluded = (validation?["excludedPaths"] as JsonArray ?? []).Select(p => p!.GetValue<string>()).ToList();
        foreach (var path in excluded.Where(p => p is not ("/api/callbacks" or "/api/health")))
        {
            problems.Add($"{path} is excluded from authentication");
        }
        var clientId = properties["identityProviders"]?["azureActiveDirectory"]?["registration"]?["clientId"];
        if (!JsonNode.DeepEquals(clientId, ev.RootParameter("authClientId")) || !IsTrue(properties["identityProviders"]?["azureActiveDirectory"]?["enabled"]))
        {
            problems.Add("the Entra ID provider does not use the authClientId app registration");
        }
        return problems;
    }

    /// <summary>Diagnostic settings into the workspace for Key Vault (audit), Service Bus, the storage services and the app.</summary>
    public static IReadOnlyList<string> DiagnosticsProblems(ArmEvaluator ev)
    {
        var settings = Deployed(ev, "Microsoft.Insights/diagnosticSettings")
            .Select(d => (Scope: d.Resource["scope"]?.GetValue<string>() ?? "", Properties: ev.Evaluate(d.Resource["properties"], d.Scope)))
            .Where(d => d.Properties?["workspaceId"] is { } workspace && (ArmEvaluator.IsUnknown(workspace) || workspace.GetValue<string>().Length > 0))
            .ToList();
        var problems = new List<string>();
        foreach (var type in new[] { "Microsoft.KeyVault/vaults", "Microsoft.ServiceBus/namespaces", "Microsoft.Storage/storageAccounts/blobServices",
                     "Microsoft.Storage/storageAccounts/queueServices", "Microsoft.Storage/storageAccounts/tableServices", "Microsoft.Web/sites" })
        {
            var matching = settings.Where(s => s.Scope.Contains($"'{type}'", StringComparison.Ordinal)).ToList();
            if (matching.Count == 0)
            {
                problems.Add($"no diagnostic setting sends {type} logs to the workspace");
            }
            else if (type == "Microsoft.KeyVault/vaults" && !matching.Any(m => (m.Properties?["logs"] as JsonArray ?? [])
                         .Any(l => l?["categoryGroup"]?.GetValue<string>() is "audit" or "allLogs" && IsTrue(l["enabled"]))))
            {
                problems.Add("the Key Vault diagnostic setting does not keep the audit log");
            }
        }
        return problems;
    }

    /// <summary>Private-network mode: the app in the VNet, private endpoints for storage and Key Vault, their public access off.</summary>
    public static IReadOnlyList<string> PrivateNetworkProblems(ArmEvaluator ev)
    {
        var problems = new List<string>();
        var groups = Deployed(ev, "Microsoft.Network/privateEndpoints")
            .SelectMany(e => ev.EvaluatePerCopy(e, e.Properties["privateLinkServiceConnections"]).OfType<JsonArray>().SelectMany(a => a))
            .SelectMany(c => c?["properties"]?["groupIds"] as JsonArray ?? [])
            .Select(g => g!.GetValue<string>())
            .ToHashSet();
        foreach (var group in new[] { "blob", "queue", "table", "vault" }.Where(g => !groups.Contains(g)))
        {
            problems.Add($"no private endpoint for {group}");
        }
        foreach (var resource in Deployed(ev, "Microsoft.Storage/storageAccounts").Concat(Deployed(ev, "Microsoft.KeyVault/vaults")))
        {
            if (ev.Evaluate(resource.Properties["publicNetworkAccess"], resource.Scope)?.GetValue<string>() != "Disabled")
            {
                problems.Add($"{resource.Type} {resource.Name} keeps public network access");
            }
        }
        foreach (var site in Deployed(ev, "Microsoft.Web/sites"))
        {
            if (ev.Evaluate(site.Properties["virtualNetworkSubnetId"], site.Scope) is not { } subnet
                || (!ArmEvaluator.IsUnknown(subnet) && subnet.GetValue<string>().Length == 0))
            {
                problems.Add($"site {site.Name} is not integrated into the virtual network");
            }
        }
        return problems;
    }

    /// <summary>Re-provisioning beside a soft-deleted vault: the suffix reaches the vault's name, the create mode its properties.</summary>
    public static IReadOnlyList<string> KeyVaultReprovisionProblems(ArmEvaluator ev, string suffix, string createMode)
    {
        var problems = new List<string>();
        foreach (var vault in Deployed(ev, "Microsoft.KeyVault/vaults"))
        {
            var name = ev.Evaluate(vault.Resource["name"], vault.Scope)?.GetValue<string>() ?? "";
            if (!name.EndsWith(suffix, StringComparison.Ordinal) || name.Length > 24)
            {
                problems.Add($"vault name {name} does not end with the suffix {suffix} within 24 characters");
            }
            if (ev.Evaluate(vault.Properties["createMode"], vault.Scope)?.GetValue<string>() != createMode)
            {
                problems.Add($"vault create mode is not {createMode}");
            }
        }
        return problems;
    }

    /// <summary>
    /// The retry-lane queue's lock must outlast the lane's renewal margin twice over: the drain renews a
    /// lock with less than the margin left, so a shorter lock would be renewed before every message
    /// or, shorter than the margin, lost while a message is worked on.
    /// </summary>
    public static IReadOnlyList<string> LaneLockProblems(ArmEvaluator ev, TimeSpan renewalMargin)
    {
        var problems = new List<string>();
        foreach (var queue in Deployed(ev, "Microsoft.ServiceBus/namespaces/queues"))
        {
            var text = ev.Evaluate(queue.Properties["lockDuration"], queue.Scope)?.GetValue<string>();
            if (text is null || System.Xml.XmlConvert.ToTimeSpan(text) < 2 * renewalMargin)
            {
                problems.Add($"queue {queue.Name}: lockDuration {text ?? "absent"} is shorter than twice the lane's renewal margin {renewalMargin}");
            }
        }
        return problems;
    }

    private static IEnumerable<TemplateResource> Deployed(ArmEvaluator ev, string type) =>
        CompiledTemplate.ResourcesOfType(ev.Root, type).Where(ev.IsDeployed);

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
