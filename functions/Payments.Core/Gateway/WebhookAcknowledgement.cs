using System.Text;

namespace Payments.Gateway;

/// <summary>The literal reply a gateway expects on success (Adyen wants <c>[accepted]</c>, Alipay <c>success</c>).</summary>
public sealed record WebhookAcknowledgement(int StatusCode, string ContentType, string Body)
{
    public static WebhookAcknowledgement JsonReceived { get; } = new(200, "application/json", "{\"received\":true}");

    public byte[] BodyBytes() => Encoding.UTF8.GetBytes(Body);
}
