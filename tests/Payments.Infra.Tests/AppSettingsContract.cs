using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Payments.Faults;
using Payments.Functions;
using Payments.Storage;

namespace Payments.Infra.Tests;

/// <summary>
/// Which app settings the deployed Function App must have, must not have, and may have, discovered
/// from the code and the repository's config files rather than listed by hand, so a setting added to
/// the app without its Bicep counterpart fails the tests:
/// <list type="bullet">
/// <item>every public settable property of every type with a <c>public const string Section</c>
///   (options classes), as <c>Section__Property</c>;</item>
/// <item>every <c>%Name%</c> placeholder in the Functions' attributes (timer schedules, ...) and in host.json;</item>
/// <item>every key in local.settings.json, except the local-only ones Azure replaces;</item>
/// <item>the identity-based host storage connection.</item>
/// </list>
/// </summary>
public sealed partial class AppSettingsContract
{
    /// <summary>Fault injection is for demos and chaos tests only; it must never be configured in Azure.</summary>
    public static readonly string ForbiddenPrefix = FaultOptions.Section + "__";

    /// <summary>
    /// Options properties of this name are forbidden in Azure: a connection string carries an account
    /// key; Azure uses service URIs / namespaces with the managed identity (e.g. PaymentsStorage__*ServiceUri).
    /// </summary>
    public const string ConnectionStringProperty = nameof(StorageOptions.ConnectionString);

    public static readonly string StorageConnectionString = Key(StorageOptions.Section, nameof(StorageOptions.ConnectionString));

    /// <summary>Only tests and shared task hubs need a prefix; production uses the plain names.</summary>
    public static readonly string StorageNamePrefix = Key(StorageOptions.Section, nameof(StorageOptions.NamePrefix));

    /// <summary>The host's own storage, identity-based: account name, managed identity, which identity.</summary>
    public static readonly IReadOnlyList<string> HostStorageIdentitySettings =
        ["AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId"];

    /// <summary>
    /// local.settings.json keys Azure replaces: the host storage connection string (identity-based
    /// settings above instead) and the worker runtime (a platform setting: Flex Consumption's
    /// functionAppConfig.runtime, or set by the module on Elastic Premium).
    /// </summary>
    private static readonly HashSet<string> LocalOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "AzureWebJobsStorage",
        "FUNCTIONS_WORKER_RUNTIME",
    };

    private readonly Dictionary<string, string> required = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, PropertyInfo> optionProperties = new(StringComparer.OrdinalIgnoreCase);

    private AppSettingsContract()
    {
    }

    /// <summary>Required setting names, each with where it was discovered.</summary>
    public IReadOnlyDictionary<string, string> Required => required;

    private readonly HashSet<string> forbidden = new(StringComparer.OrdinalIgnoreCase)
    {
        // The host's storage connection string; the identity-based AzureWebJobsStorage__* settings replace it.
        "AzureWebJobsStorage",
    };

    /// <summary>Setting names exactly forbidden (besides anything under <see cref="ForbiddenPrefix"/>).</summary>
    public IReadOnlySet<string> Forbidden => forbidden;

    /// <summary>The options property behind each Section__Property setting (required, optional and forbidden alike).</summary>
    public IReadOnlyDictionary<string, PropertyInfo> OptionProperties => optionProperties;

    /// <summary>Discovers the contract from Payments.Core, Payments.Functions, host.json and local.settings.json.</summary>
    /// <param name="extraTypes">More types to scan as if they were in the app (to show discovery on code not written yet).</param>
    public static AppSettingsContract Discover(params Type[] extraTypes)
    {
        var contract = new AppSettingsContract();
        Type[] types = [.. LoadableTypes(typeof(StorageOptions).Assembly), .. LoadableTypes(typeof(RecoveryFunctions).Assembly), .. extraTypes];

        foreach (var type in types)
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string section)
            {
                foreach (var (key, property) in OptionKeys(type, section))
                {
                    contract.optionProperties[key] = property;
                    // Identity, not keys: a connection string is for local emulators only.
                    if (property.Name == ConnectionStringProperty)
                    {
                        contract.forbidden.Add(key);
                    }
                    contract.Require(key, $"{type.Name}.{property.Name}");
                }
            }
        }

        foreach (var (name, site) in types.SelectMany(AttributePlaceholders))
        {
            contract.Require(name, site);
        }

        foreach (Match match in Placeholder().Matches(File.ReadAllText(Repo.PathOf("host.json"))))
        {
            contract.Require(ToSettingName(match.Groups["name"].Value), "host.json");
        }

        var local = JsonNode.Parse(File.ReadAllText(Repo.PathOf("local.settings.json")))!["Values"]!.AsObject();
        foreach (var (key, _) in local)
        {
            if (!LocalOnly.Contains(key))
            {
                contract.Require(key, "local.settings.json");
            }
        }

        foreach (var key in HostStorageIdentitySettings)
        {
            contract.Require(key, "identity-based host storage");
        }
        return contract;
    }

    /// <summary>Compares deployed setting names with the contract.</summary>
    public AppSettingsReport Check(IEnumerable<string> deployed)
    {
        var names = new HashSet<string>(deployed, StringComparer.OrdinalIgnoreCase);
        var missing = required.Keys.Where(k => !names.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var present = names.Where(IsForbidden).Order(StringComparer.Ordinal).ToList();
        return new AppSettingsReport(missing, present);
    }

    public bool IsForbidden(string name) =>
        Forbidden.Contains(name) || name.StartsWith(ForbiddenPrefix, StringComparison.OrdinalIgnoreCase);

    private void Require(string name, string source)
    {
        if (IsForbidden(name) || string.Equals(name, StorageNamePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        required.TryAdd(name, source);
    }

    private static string Key(string section, string property) => $"{ToSettingName(section)}__{property}";

    /// <summary>Configuration keys use ':' between sections; app settings use '__'.</summary>
    private static string ToSettingName(string configurationKey) => configurationKey.Replace(":", "__", StringComparison.Ordinal);

    private static IEnumerable<(string Key, PropertyInfo Property)> OptionKeys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            var key = Key(prefix, property.Name);
            if (IsScalar(property.PropertyType))
            {
                yield return (key, property);
            }
            else if (typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType))
            {
                throw new NotSupportedException(
                    $"{type.Name}.{property.Name} is a collection: its app setting names cannot be derived; extend {nameof(AppSettingsContract)}.");
            }
            else
            {
                foreach (var nested in OptionKeys(property.PropertyType, key))
                {
                    yield return nested;
                }
            }
        }
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(TimeSpan) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || type == typeof(Guid) || type == typeof(Uri);
    }

    /// <summary><c>%Name%</c> in any attribute argument on a function class, method or parameter.</summary>
    private static IEnumerable<(string Name, string Site)> AttributePlaceholders(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        {
            var sites = new List<(string Site, IEnumerable<CustomAttributeData> Attributes)> { (type.Name, type.GetCustomAttributesData()) };
            foreach (var method in type.GetMethods(all))
            {
                sites.Add(($"{type.Name}.{method.Name}", method.GetCustomAttributesData()));
                sites.AddRange(method.GetParameters().Select(p => ($"{type.Name}.{method.Name}({p.Name})", (IEnumerable<CustomAttributeData>)p.GetCustomAttributesData())));
            }
            foreach (var (site, attributes) in sites)
            {
                foreach (var attribute in attributes)
                {
                    var values = attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue));
                    foreach (var text in values.Select(v => v.Value).OfType<string>())
                    {
                        foreach (Match match in Placeholder().Matches(text))
                        {
                            yield return (ToSettingName(match.Groups["name"].Value), $"{site} [{attribute.AttributeType.Name}]");
                        }
                    }
                }
            }
        }
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            return partial.Types.OfType<Type>();
        }
    }

    [GeneratedRegex(@"%(?<name>[A-Za-z_][A-Za-z0-9_:]*)%")]
    private static partial Regex Placeholder();

    /// <summary>The [Range] an options property is validated against, as integers, if it has one.</summary>
    public static (long Min, long Max)? IntegerRange(PropertyInfo property) =>
        property.GetCustomAttribute<RangeAttribute>() is { OperandType: var t } range && t == typeof(int)
            ? (Convert.ToInt64(range.Minimum, System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(range.Maximum, System.Globalization.CultureInfo.InvariantCulture))
            : null;
}

/// <summary>What a deployment lacks and what it sets but must not.</summary>
public sealed record AppSettingsReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Forbidden)
{
    public bool IsClean => Missing.Count == 0 && Forbidden.Count == 0;

    public override string ToString() =>
        $"missing: [{string.Join(", ", Missing)}]; forbidden: [{string.Join(", ", Forbidden)}]";
}
