using System.Text.Json;

namespace Payments.Gateway.Alipay;

/// <summary>
/// One verified answer of Alipay's gateway: the method's response object (<c>code</c>, <c>msg</c>,
/// <c>sub_code</c>, the business fields). Alipay signs the exact text of that object as it appears in
/// the body, so it is cut out of the raw bytes and verified before anything in it is read.
/// </summary>
public sealed class AlipayResponse
{
    /// <summary>The call succeeded.</summary>
    public const string Success = "10000";

    /// <summary>The call was understood and refused for a business reason (<c>sub_code</c> says which).</summary>
    public const string BusinessFailed = "40004";

    /// <summary>Alipay could not serve the call just now; the same call may succeed later.</summary>
    public const string ServiceUnavailable = "20000";

    private readonly JsonElement node;

    private AlipayResponse(JsonElement node) => this.node = node;

    public string Code => Text("code") ?? "";

    public string? SubCode => Text("sub_code");

    public string? Message => Text("sub_msg") ?? Text("msg");

    public bool IsSuccess => Code == Success;

    public string? Text(string field) =>
        node.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The trade is not at Alipay (never opened by the buyer).</summary>
    public const string TradeNotExist = "ACQ.TRADE_NOT_EXIST";

    /// <summary>The trade is not in a state the call applies to (e.g. already paid, so not closable).</summary>
    public const string TradeStatusError = "ACQ.TRADE_STATUS_ERROR";

    /// <summary>The bill query's answer for a day without a bill (no trade, no refund): an empty statement.</summary>
    public const string BillNotExist = "isp.bill_not_exist";

    /// <summary>Alipay's own failure: the same request may be sent again unchanged.</summary>
    public const string SystemError = "ACQ.SYSTEM_ERROR";

    /// <summary>
    /// Reads a gateway answer for <paramref name="method"/>: the response object (or Alipay's
    /// <c>error_response</c>) and the signature beside it. The signature is checked whenever present;
    /// an unsigned answer is accepted only as a failure that decides nothing (Alipay leaves some errors
    /// unsigned), never as a success, a trade that does not exist or one that cannot be closed.
    /// </summary>
    public static AlipayResponse Read(byte[] body, string method, Func<ReadOnlyMemory<byte>, string?, bool> verify)
    {
        var name = method.Replace('.', '_') + "_response";
        var (content, signature) = Cut(body, name);
        if (content.IsEmpty)
        {
            throw new InvalidDataException($"Alipay's answer to {method} has no {name} object.");
        }
        var verified = signature is not null && verify(content, signature);
        if (signature is not null && !verified)
        {
            throw new InvalidDataException($"Alipay's answer to {method} failed signature verification.");
        }
        using var document = JsonDocument.Parse(content);
        var response = new AlipayResponse(document.RootElement.Clone());
        if (!verified && (response.IsSuccess || response.SubCode is TradeNotExist or TradeStatusError or BillNotExist))
        {
            // These answers decide what the pipeline does with the money (paid, never created, not closable):
            // only a signed one is believed; anything else is retried.
            throw new InvalidDataException($"Alipay's answer to {method} ({(response.IsSuccess ? "success" : response.SubCode)}) is not signed; not trusted.");
        }
        return response;
    }

    /// <summary>The raw bytes of the response object (the method's, else <c>error_response</c>) and the top-level <c>sign</c>.</summary>
    private static (ReadOnlyMemory<byte> Content, string? Signature) Cut(byte[] body, string name)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
        ReadOnlyMemory<byte> content = default;
        ReadOnlyMemory<byte> error = default;
        string? signature = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("Alipay's answer is not a JSON object.");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString();
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
            var slice = body.AsMemory(start, (int)reader.BytesConsumed - start);
            switch (property)
            {
                case var p when p == name && reader.TokenType == JsonTokenType.EndObject:
                    content = slice;
                    break;
                case "error_response" when reader.TokenType == JsonTokenType.EndObject:
                    error = slice;
                    break;
                case "sign" when reader.TokenType == JsonTokenType.String:
                    signature = reader.GetString();
                    break;
            }
        }
        return (content.IsEmpty ? error : content, signature);
    }
}
