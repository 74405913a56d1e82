using Microsoft.DurableTask;
using Payments.Saga;

namespace Payments.LocalHost;

/// <summary>An orchestrator function method registered with the Durable Task worker.</summary>
internal sealed class FunctionOrchestrator(FunctionEntry function) : ITaskOrchestrator
{
    public Type InputType { get; } =
        (function.Method.GetCustomAttributes(typeof(OrchestrationInputAttribute), false).FirstOrDefault() as OrchestrationInputAttribute)?.InputType
        ?? throw new InvalidOperationException($"Orchestrator {function.Name} needs [OrchestrationInput] for the local host.");

    public Type OutputType { get; } = ResultType(function);

    public Task<object?> RunAsync(TaskOrchestrationContext context, object? input) =>
        FunctionInvoker.AwaitResult(function.Method.Invoke(null, [context]));

    internal static Type ResultType(FunctionEntry function)
    {
        var returnType = function.Method.ReturnType;
        return returnType.IsGenericType ? returnType.GetGenericArguments()[0] : typeof(object);
    }
}
