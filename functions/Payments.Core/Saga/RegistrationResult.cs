namespace Payments.Saga;

/// <summary>How an order registration was answered; each case maps to one HTTP reply.</summary>
public abstract record RegistrationResult
{
    private RegistrationResult() { }

    public sealed record Started(string OrderId) : RegistrationResult;

    /// <summary>The same order was registered before; nothing new happened.</summary>
    public sealed record AlreadyRegistered(string OrderId) : RegistrationResult;

    /// <summary>The order id is taken by a different order.</summary>
    public sealed record Conflict(string OrderId) : RegistrationResult;

    public sealed record Invalid(IReadOnlyList<string> Errors) : RegistrationResult;
}
