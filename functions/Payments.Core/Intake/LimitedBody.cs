namespace Payments.Intake;

/// <summary>
/// Reads a request body into memory without ever buffering more than the limit. The limit holds for
/// the bytes actually read, so a chunked body (no <c>Content-Length</c>) or one whose header
/// understates it is cut off as surely as one that announces its size.
/// </summary>
public static class LimitedBody
{
    /// <summary>The body bytes, or null when the body is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, long? contentLength, int maxBytes, CancellationToken ct)
    {
        if (contentLength > maxBytes)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
