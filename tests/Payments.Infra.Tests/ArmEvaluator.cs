using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Payments.Infra.Tests;

/// <summary>
/// Evaluates the part of the ARM expression language the deployment's decisions are written in
/// (parameters, variables, equals, if, not, empty, and, or, format, createArray, createObject,
/// contains, concat, string), for one set of root parameter values — what a parameter file plus the
/// defaults make of the template. Anything else (reference(), uniqueString(), resourceId(), ...)
/// evaluates to <see cref="Unknown"/>, which checks treat as "decided at deploy time".
/// </summary>
public sealed class ArmEvaluator
{
    /// <summary>Stands for a value only Azure knows (a resource id, an output, a hash).</summary>
    public static JsonNode Unknown => JsonValue.Create("\u0000unknown")!;

    private readonly JsonObject rootValues;

    /// <param name="root">The compiled main template.</param>
    /// <param name="fileValues">A parameters file's values (<c>{"name": {"value": …}}</c>); unset parameters take their defaults.</param>
    public ArmEvaluator(JsonObject root, JsonObject? fileValues)
    {
        Root = root;
        rootScope = new TemplateScope(root, null, null);
        rootValues = [];
        foreach (var (name, _) in root["parameters"]!.AsObject())
        {
            if (fileValues?[name]?["value"] is { } given)
            {
                rootValues[name] = given.DeepClone();
            }
        }
    }

    private readonly TemplateScope rootScope;

    public JsonObject Root { get; }

    private long? copyIndex;

    /// <summary>A value evaluated once per copy of a resource declared with a <c>copy</c> loop (once for a plain resource).</summary>
    public IEnumerable<JsonNode?> EvaluatePerCopy(TemplateResource resource, JsonNode? node)
    {
        if (resource.Resource["copy"] is not { } copy)
        {
            yield return Evaluate(node, resource.Scope);
            yield break;
        }
        var count = Evaluate(copy["count"], resource.Scope) is JsonValue c && c.TryGetValue<long>(out var n) ? n : 0;
        for (long i = 0; i < count; i++)
        {
            copyIndex = i;
            var value = Evaluate(node, resource.Scope);
            copyIndex = null;
            yield return value;
        }
    }

    public static bool IsUnknown(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && s == "\u0000unknown";

    /// <summary>A root parameter's effective value.</summary>
    public JsonNode? RootParameter(string name)
    {
        // Defaults may read other parameters, so they are resolved on first use.
        if (!rootValues.ContainsKey(name))
        {
            rootValues[name] = Evaluate(Root["parameters"]?[name]?["defaultValue"], rootScope)?.DeepClone();
        }
        return rootValues[name]?.DeepClone();
    }

    /// <summary>Evaluates a template value (literal, expression, object or array) in a scope.</summary>
    public JsonNode? Evaluate(JsonNode? node, TemplateScope scope, int depth = 0)
    {
        if (depth > 32)
        {
            return Unknown;
        }
        return node switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) && CompiledTemplate.IsExpression(text) =>
                new Parser(text[1..^1], this, scope, depth).ParseAll(),
            JsonValue value when value.TryGetValue<string>(out var text) && text.StartsWith("[[", StringComparison.Ordinal) => JsonValue.Create(text[1..]),
            JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Evaluate(p.Value, scope, depth + 1)))),
            JsonArray array => new JsonArray(array.Select(i => Evaluate(i, scope, depth + 1)).ToArray()),
            _ => node?.DeepClone(),
        };
    }

    /// <summary>Whether a resource (or module) is deployed with these values: its condition, and its module's.</summary>
    public bool IsDeployed(TemplateResource resource)
    {
        var condition = resource.Resource["condition"] is { } c ? Evaluate(c, resource.Scope) : JsonValue.Create(true);
        if (condition is JsonValue v && v.TryGetValue<bool>(out var on) && !on)
        {
            return false;
        }
        var module = CompiledTemplate.Resources(Root).FirstOrDefault(r => ReferenceEquals(r.NestedScope?.Template, resource.Scope.Template));
        return module is null || IsDeployed(module);
    }

    private JsonNode? Parameter(string name, TemplateScope scope, int depth)
    {
        if (scope.IsRoot)
        {
            return RootParameter(name);
        }
        return scope.Passed(name) switch
        {
            JsonObject given => Evaluate(given["value"], scope.Parent!, depth + 1),
            // Bicep hoists a conditional module parameter into one expression yielding {"value": …}.
            JsonValue wrapped => Evaluate(wrapped, scope.Parent!, depth + 1) is JsonObject o ? o["value"]?.DeepClone() : Unknown,
            _ => Evaluate(scope.Template["parameters"]?[name]?["defaultValue"], scope, depth + 1),
        };
    }

    private sealed class Parser(string text, ArmEvaluator evaluator, TemplateScope scope, int depth)
    {
        private int position;

        public JsonNode? ParseAll()
        {
            var value = ParseExpression();
            SkipSpace();
            return position == text.Length ? value : Unknown;
        }

        private JsonNode? ParseExpression()
        {
            SkipSpace();
            JsonNode? value;
            if (Peek() == '\'')
            {
                value = JsonValue.Create(ReadString());
            }
            else if (char.IsDigit(Peek()) || Peek() == '-')
            {
                var start = position;
                position++;
                while (position < text.Length && char.IsDigit(text[position]))
                {
                    position++;
                }
                value = JsonValue.Create(long.Parse(text[start..position], CultureInfo.InvariantCulture));
            }
            else
            {
                var name = ReadIdentifier();
                SkipSpace();
                var args = new List<JsonNode?>();
                Expect('(');
                SkipSpace();
                while (Peek() != ')')
                {
                    args.Add(ParseExpression());
                    SkipSpace();
                    if (Peek() == ',')
                    {
                        position++;
                    }
                }
                Expect(')');
                value = name switch
                {
                    "true" => JsonValue.Create(true),
                    "false" => JsonValue.Create(false),
                    _ => Call(name, args),
                };
            }
            // Property and index access: .name, ['name'], [0]
            while (true)
            {
                SkipSpace();
                if (Peek() == '.')
                {
                    position++;
                    var property = ReadIdentifier();
                    value = value is JsonObject o ? o[property]?.DeepClone() : Unknown;
                }
                else if (Peek() == '[')
                {
                    position++;
                    var index = ParseExpression();
                    Expect(']');
                    value = (value, index) switch
                    {
                        (JsonObject o, JsonValue k) when k.TryGetValue<string>(out var key) => o[key]?.DeepClone(),
                        (JsonArray a, JsonValue i) when i.TryGetValue<long>(out var n) && n < a.Count => a[(int)n]?.DeepClone(),
                        _ => Unknown,
                    };
                }
                else
                {
                    return value;
                }
            }
        }

        private JsonNode? Call(string name, List<JsonNode?> args)
        {
            if (args.Any(IsUnknown) && name is not ("if" or "createArray" or "createObject"))
            {
                return Unknown;
            }
            return name.ToLowerInvariant() switch
            {
                "parameters" => evaluator.Parameter(Text(args[0]), scope, depth),
                "variables" => evaluator.Evaluate(scope.Variable(Text(args[0])), scope, depth + 1),
                "equals" => JsonValue.Create(JsonNode.DeepEquals(args[0], args[1])),
                "not" => JsonValue.Create(!Bool(args[0])),
                "and" => JsonValue.Create(args.All(Bool)),
                "or" => JsonValue.Create(args.Any(Bool)),
                "if" => IsUnknown(args[0]) ? Unknown : Bool(args[0]) ? args[1] : args[2],
                "empty" => JsonValue.Create(args[0] switch
                {
                    null => true,
                    JsonArray a => a.Count == 0,
                    JsonObject o => o.Count == 0,
                    _ => Text(args[0]).Length == 0,
                }),
                "string" => JsonValue.Create(args[0] is JsonValue v && v.TryGetValue<string>(out var s) ? s : args[0]?.ToJsonString() ?? ""),
                "concat" => args.All(a => a is JsonValue) ? JsonValue.Create(string.Concat(args.Select(Text))) : new JsonArray(args.SelectMany(a => a is JsonArray arr ? arr.Select(i => i?.DeepClone()) : [a]).ToArray()),
                "format" => JsonValue.Create(Format(Text(args[0]), args.Skip(1).Select(Text).ToArray())),
                // A fixed, fake deployment context, so names built from it can be checked.
                "subscription" => new JsonObject { ["id"] = "/subscriptions/sub", ["subscriptionId"] = "sub", ["tenantId"] = "tenant" },
                "resourcegroup" => new JsonObject { ["id"] = "/subscriptions/sub/resourceGroups/rg", ["name"] = "rg", ["location"] = "westeurope" },
                "tenant" => new JsonObject { ["tenantId"] = "tenant" },
                "uniquestring" => JsonValue.Create(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", args.Select(Text)))))[..13]),
                "tolower" => JsonValue.Create(Text(args[0]).ToLowerInvariant()),
                "null" => null,
                "length" => JsonValue.Create((long)(args[0] switch { JsonArray a => a.Count, JsonObject o => o.Count, _ => Text(args[0]).Length })),
                "copyindex" => evaluator.copyIndex is { } index ? JsonValue.Create(index + (args.Count > 0 && args[0] is JsonValue off && off.TryGetValue<long>(out var o) ? o : 0)) : Unknown,
                "union" => args.All(a => a is JsonObject)
                    ? new JsonObject(args.SelectMany(a => a!.AsObject()).GroupBy(p => p.Key).Select(g => KeyValuePair.Create(g.Key, g.Last().Value?.DeepClone())))
                    : Unknown,
                "createarray" => new JsonArray(args.Select(a => a?.DeepClone()).ToArray()),
                "createobject" => new JsonObject(args.Chunk(2).Select(p => KeyValuePair.Create(Text(p[0]), p[1]?.DeepClone()))),
                "contains" => JsonValue.Create(args[0] switch
                {
                    JsonArray a => a.Any(i => JsonNode.DeepEquals(i, args[1])),
                    JsonObject o => o.ContainsKey(Text(args[1])),
                    _ => Text(args[0]).Contains(Text(args[1]), StringComparison.OrdinalIgnoreCase),
                }),
                _ => Unknown,
            };
        }

        private static string Format(string template, string[] values)
        {
            var result = new StringBuilder();
            for (var i = 0; i < template.Length; i++)
            {
                if (template[i] == '{' && i + 2 < template.Length && char.IsDigit(template[i + 1]) && template[i + 2] == '}')
                {
                    result.Append(values[template[i + 1] - '0']);
                    i += 2;
                }
                else
                {
                    result.Append(template[i]);
                }
            }
            return result.ToString();
        }

        private static bool Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

        private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "";

        private char Peek() => position < text.Length ? text[position] : '\0';

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c)
            {
                throw new FormatException($"Expected '{c}' at {position} in [{text}].");
            }
            position++;
        }

        private void SkipSpace()
        {
            while (position < text.Length && text[position] == ' ')
            {
                position++;
            }
        }

        private string ReadIdentifier()
        {
            var start = position;
            while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_'))
            {
                position++;
            }
            if (start == position)
            {
                throw new FormatException($"Expected a name at {position} in [{text}].");
            }
            return text[start..position];
        }

        private string ReadString()
        {
            var result = new StringBuilder();
            position++; // opening quote
            while (true)
            {
                var c = text[position++];
                if (c == '\'')
                {
                    if (Peek() == '\'')
                    {
                        result.Append('\'');
                        position++;
                        continue;
                    }
                    return result.ToString();
                }
                result.Append(c);
            }
        }
    }
}
