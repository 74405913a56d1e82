using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace Payments.Infra.Tests;

/// <summary>
/// Reads a compiled ARM template the way the deployment will: every resource including those inside
/// module deployments, and the values that <c>parameters('x')</c> / <c>variables('y')</c> expressions
/// stand for. Values may stay ARM expressions (strings starting with <c>[</c>); names never do here.
/// </summary>
public static partial class CompiledTemplate
{
    /// <summary>Every resource of the template and of the templates nested in its module deployments.</summary>
    public static IEnumerable<TemplateResource> Resources(JsonObject root) => Resources(new TemplateScope(root, null, null));

    public static IEnumerable<TemplateResource> ResourcesOfType(JsonObject root, string type) =>
        Resources(root).Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every template (root and nested) with its parameters, for checks on parameter declarations.</summary>
    public static IEnumerable<TemplateScope> Scopes(JsonObject root)
    {
        var rootScope = new TemplateScope(root, null, null);
        return new[] { rootScope }.Concat(Resources(rootScope)
            .Where(r => r.NestedScope is not null)
            .Select(r => r.NestedScope!));
    }

    /// <summary>
    /// The Function App's app settings: the properties of its <c>Microsoft.Web/sites/config</c>
    /// 'appsettings' resource, following parameters and variables back to the object literals that
    /// hold the names. Settings built inside functions (<c>createObject</c>, <c>if</c>) are not
    /// followed; the app's own settings are all plain object literals in main.bicep.
    /// </summary>
    public static AppSettings FindAppSettings(JsonObject root)
    {
        var configs = ResourcesOfType(root, "Microsoft.Web/sites/config")
            .Where(r => r.Name.Contains("appsettings", StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (configs.Count != 1)
        {
            throw new InvalidOperationException($"Expected one Function App appsettings resource, found {configs.Count}.");
        }
        var holders = new List<JsonObject>();
        CollectObjects(configs[0].Resource["properties"], configs[0].Scope, holders, depth: 0);
        return new AppSettings(holders);
    }

    private static IEnumerable<TemplateResource> Resources(TemplateScope scope)
    {
        var resources = scope.Template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            // languageVersion 2.0 templates key resources by symbolic name.
            JsonObject byName => byName.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (var resource in resources)
        {
            var nested = resource["type"]?.GetValue<string>() == "Microsoft.Resources/deployments"
                && resource["properties"]?["template"] is JsonObject template
                ? new TemplateScope(template, resource["properties"]?["parameters"] as JsonObject, scope)
                : null;
            yield return new TemplateResource(resource, scope, nested);
            if (nested is not null)
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    private static void CollectObjects(JsonNode? node, TemplateScope scope, List<JsonObject> holders, int depth)
    {
        if (depth > 16 || node is null)
        {
            return;
        }
        if (node is JsonObject literal)
        {
            holders.Add(literal);
            return;
        }
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text) || !IsExpression(text))
        {
            return;
        }
        foreach (Match match in Reference().Matches(text))
        {
            var name = match.Groups["name"].Value;
            var (target, targetScope) = match.Groups["kind"].Value == "parameters" ? scope.Parameter(name) : (scope.Variable(name), scope);
            CollectObjects(target, targetScope, holders, depth + 1);
        }
    }

    public static bool IsExpression(string value) => value.StartsWith('[') && !value.StartsWith("[[", StringComparison.Ordinal);

    /// <summary>The root-template parameter a value is taken from, when it is just that (maybe via string()).</summary>
    public static string? RootParameterOf(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var text) && SingleParameter().Match(text) is { Success: true } m
            ? m.Groups["name"].Value
            : null;

    [GeneratedRegex(@"(?<kind>parameters|variables)\('(?<name>[^']+)'\)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\[(?:string\()?parameters\('(?<name>[^']+)'\)\)?\]$")]
    private static partial Regex SingleParameter();
}

/// <summary>One template and the parameter values its deployment passes in (null for the root).</summary>
public sealed class TemplateScope(JsonObject template, JsonObject? parameterValues, TemplateScope? parent)
{
    public JsonObject Template => template;

    public bool IsRoot => parent is null;

    /// <summary>The template that deploys this one (null for the root).</summary>
    public TemplateScope? Parent => parent;

    /// <summary>What the deploying template passes for a parameter: <c>{"value": …}</c>, or an expression that yields that object.</summary>
    public JsonNode? Passed(string name) => parameterValues?[name];

    public IEnumerable<KeyValuePair<string, JsonNode?>> ParameterDeclarations =>
        template["parameters"] as JsonObject ?? [];

    /// <summary>A parameter's value and the scope its expressions are evaluated in (the caller's, for a passed value).</summary>
    public (JsonNode? Value, TemplateScope Scope) Parameter(string name) =>
        parameterValues?[name] is JsonObject given && given["value"] is { } passed && parent is not null
            ? (passed, parent)
            : (template["parameters"]?[name]?["defaultValue"], this);

    public JsonNode? Variable(string name) => template["variables"]?[name];
}

/// <summary>A resource with the template it sits in, and its own template when it is a module deployment.</summary>
public sealed record TemplateResource(JsonObject Resource, TemplateScope Scope, TemplateScope? NestedScope)
{
    public string Type => Resource["type"]?.GetValue<string>() ?? "";

    public string Name => Resource["name"]?.GetValue<string>() ?? "";

    public JsonObject Properties => Resource["properties"] as JsonObject ?? [];
}

/// <summary>App settings by name (case-insensitive, as configuration reads them), with the JSON objects that hold them.</summary>
public sealed class AppSettings(IReadOnlyList<JsonObject> holders)
{
    public IReadOnlyDictionary<string, JsonNode?> ByName { get; } = holders
        .SelectMany(h => h)
        .GroupBy(p => p.Key, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<string> Names => ByName.Keys;

    /// <summary>Removes a setting from the underlying JSON (for negative tests on a copy of a template).</summary>
    public void RemoveFromTemplate(string name)
    {
        foreach (var holder in holders)
        {
            foreach (var key in holder.Select(p => p.Key).Where(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                holder.Remove(key);
            }
        }
    }

    /// <summary>Adds or replaces a setting in the underlying JSON (for negative tests on a copy of a template).</summary>
    public void SetInTemplate(string name, string value) => holders[0][name] = value;
}
