using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost;

/// <summary>
/// Finds every function in the Functions app by its attributes, the same metadata the Functions
/// SDK compiles into <c>functions.metadata</c>, so the local host can never miss or invent one.
/// </summary>
public static class FunctionCatalog
{
    public static IReadOnlyList<FunctionEntry> Discover(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.Function is not null)
            .Select(x => Describe(x.Function!.Name, x.Method))
            .ToArray();

    private static FunctionEntry Describe(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            TriggerKind? kind =
                parameter.IsDefined(typeof(HttpTriggerAttribute)) ? TriggerKind.Http
                : parameter.IsDefined(typeof(TimerTriggerAttribute)) ? TriggerKind.Timer
                : parameter.IsDefined(typeof(OrchestrationTriggerAttribute)) ? TriggerKind.Orchestration
                : parameter.IsDefined(typeof(ActivityTriggerAttribute)) ? TriggerKind.Activity
                : null;
            if (kind is { } k)
            {
                return new FunctionEntry(name, k, method, parameter);
            }
        }
        throw new InvalidOperationException($"Function {name} has a trigger the local host does not support.");
    }
}
