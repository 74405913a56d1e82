namespace Payments.Saga;

/// <summary>
/// Names an orchestrator function's input type. The Functions host deserializes input lazily in
/// <c>GetInput&lt;T&gt;</c>; the local host's Durable worker needs the type up front to do the same.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OrchestrationInputAttribute(Type inputType) : Attribute
{
    public Type InputType { get; } = inputType;
}
