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
        var type = task.GetType();
        return type.IsGenericType && type.GetGenericArguments()[0].Name != "VoidTaskResult"
            ? type.GetProperty(nameof(Task<object>.Result))!.GetValue(task)
            : null;
    }

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
