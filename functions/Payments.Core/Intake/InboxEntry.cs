using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Payments.Hosting;

namespace Payments.Intake;

/// <summary>A callback exactly as received, plus what it was parsed into.</summary>
public sealed record InboxEntry(
    string Provider,
    string EventId,
    byte[] Body,
    IReadOnlyDictionary<string, string> SignatureHeaders,
    DateTimeOffset ReceivedAt,
    InboxState State,
    PaymentEvent? Event,
    string? EventType);
