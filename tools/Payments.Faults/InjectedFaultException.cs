namespace Payments.Faults;

/// <summary>A failure made up by fault injection; transient, the pipeline's retries and recovery paths are expected to absorb it.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);
