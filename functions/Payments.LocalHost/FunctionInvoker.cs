using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Payments.LocalHost;

/// <summary>
/// Calls a function method the way the Functions worker does: a fresh instance of its class from
/// DI per invocation, parameters bound by type (request, Durable client, cancellation, timer) or by
/// route-value name. An unbindable parameter fails at start-up, not at the first request.
/// </summary>
public static class FunctionInvoker
{
    public static void EnsureBindable(FunctionEntry function)
    {
        foreach (var parameter in function.Method.GetParameters())
        {
            var type = parameter.ParameterType;
            var bindable = type == typeof(HttpRequest) || type == typeof(DurableTaskClient) || type == typeof(CancellationToken)
                || type == typeof(TimerInfo) || IsTrigger(parameter, function)
                || (type == typeof(string) && function.Trigger == TriggerKind.Http && (function.Http.Route ?? "").Contains('{' + parameter.Name + '}', StringComparison.Ordinal));
            if (!bindable)
            {
                throw new InvalidOperationException($"Function {function.Name}: parameter '{parameter.Name}' of type {type.Name} cannot be bound by the local host.");
            }
        }
    }

    // By position, not by reference: GetParameters() raced from several threads (hosts starting in
    // parallel) can hand out distinct ParameterInfo objects for the same parameter.
    private static bool IsTrigger(ParameterInfo parameter, FunctionEntry function) =>
        parameter.Position == function.TriggerParameter.Position;

    public static async Task<object?> InvokeAsync(
        FunctionEntry function,
        IServiceProvider services,
        HttpContext? http,
        object? triggerValue,
        CancellationToken ct)
    {
        var arguments = function.Method.GetParameters().Select(p => Bind(p, function, services, http, triggerValue, ct)).ToArray();
        var instance = function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, function.Method.DeclaringType!);
        try
        {
            return await AwaitResult(function.Method.Invoke(instance, arguments));
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    public static async Task<object?> AwaitResult(object? returned)
    {
        if (returned is not Task task)
        {
            return returned;
        }
        await task;
        return ResultReaders.GetOrAdd(task.GetType(), ResultReaderFor)(task);
    }

    /// <summary>
    /// One typed reader per task type, kept for the host's life: a reflection read of <c>Result</c>
    /// emits an invoke stub whenever the runtime's reflection cache for the type has been collected,
    /// and those stubs were dozens of dynamic methods a minute to compile and finalize under load.
    /// </summary>
    private static readonly ConcurrentDictionary<Type, Func<Task, object?>> ResultReaders = new();

    private static Func<Task, object?> ResultReaderFor(Type taskType)
    {
        var type = taskType;
        while (type is not null && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>)))
        {
            type = type.BaseType;
        }
        // A plain Task, or a Task<VoidTaskResult> (what an async Task method returns), has no result to hand back.
        if (type is null || type.GetGenericArguments()[0].Name == "VoidTaskResult")
        {
            return _ => null;
        }
        return typeof(FunctionInvoker).GetMethod(nameof(ResultOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type.GetGenericArguments()[0])
            .CreateDelegate<Func<Task, object?>>();
    }

    private static object? ResultOf<T>(Task task) => ((Task<T>)task).Result;

    private static object? Bind(ParameterInfo parameter, FunctionEntry function, IServiceProvider services, HttpContext? http, object? triggerValue, CancellationToken ct)
    {
        var type = parameter.ParameterType;
        if (type == typeof(HttpRequest))
        {
            return http!.Request;
        }
        if (type == typeof(DurableTaskClient))
        {
            return services.GetRequiredService<DurableTaskClient>();
        }
        if (type == typeof(CancellationToken))
        {
            return ct;
        }
        if (type == typeof(TimerInfo))
        {
            return triggerValue ?? new TimerInfo();
        }
        if (IsTrigger(parameter, function))
        {
            return triggerValue;
        }
        return http?.GetRouteValue(parameter.Name!)?.ToString();
    }
}
