using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Payments.Gateway;
using Payments.Gateway.WeChatPay;

namespace Payments.Tests;

/// <summary>
/// WeChat Pay API v3's signatures and resource encryption against vectors made outside this code:
/// the request message of WeChat Pay's own documentation example, and a signature and a ciphertext
/// produced with Python's <c>cryptography</c> package (only public halves and test keys are here).
/// </summary>
public sealed class WeChatPayCryptoTests
{
    // Made with Python's cryptography: a 2048-bit RSA key whose private half was discarded;
    // SHA256withRSA (PKCS#1 v1.5) over "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{body}\n".
    private const string VectorPublicKey = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2QnbxkaZxNnIEvO8PbCncB2zYMwaIilJGL+CHv+gTOit4vEOS5CEDxiUsqQ6LYw6m2W0vZQ2Y3vaK/wPpphkTNuNK/fY1mOSKTRbYRE6+i19fS5zEiNCyYeX6GeVI7Lw9cpk4UAxPQE/eT9pbslKF2Mul184+QjnRBltqpWuLfBVjthJKkTjBNWvl0auoOWbvLuZxCCfuv8ZXkM2ZRXKIiWiPFazwgPswiUi5XuBBAiPm3x8EAA3xcU53Eifsfhbjm5XrXlZZaJFxsOM1Zq+g7CvCVfyvHRMLFciuIe52m5kB4ABvzLFx9/o3Z+7Y2PTWqUxFW1kzcifOVoosNpqswIDAQAB";
    private const string VectorSignature = "pFUwSmNqq1ObF5x/0sYulqJVFzy56Xi8BNBoajnz4zBDdzrrZIaYyCDvMkrtoZzaGfB2IaC7LhOgIWOVKMPWhwAq9PphYiZdrHqZ9uKDFujzXCKQUG/idGINcj2Z7wmtLlSW282Dohq1ORg2Ke5IrNBtp+eTwmo9v7NQ45oMp3u81imYgdHaaOXfDQes7FCIRWwlxmyDFIHrRMYliKwuc+uqg280XOX1AUpJiQ5bkWcyn8JOcOh8dTYpCsujm0YAvZMdDiusvRH0mZBe588FP/y7nIMnf8NqMpjV2YXSFWyQBSUBRt8juFQycdn6IEircFdur1xbpNCjairx0lzl9w==";
    private const string VectorTimestamp = "1554209980";
    private const string VectorNonce = "c5ac7061fccab6bf3e254dcf98995b8c";
    private const string VectorBody = "{\"id\":\"EV-2018022511223320873\",\"summary\":\"支付成功\"}";

    // Made with Python's cryptography AESGCM, which appends the 16-byte tag to the ciphertext as WeChat Pay does.
    private const string VectorApiV3Key = "wechatpay-apiv3-test-vector-key!";
    private const string VectorAesNonce = "6pU2xE9zR1qN";
    private const string VectorAssociatedData = "transaction";
    private const string VectorCiphertext = "mnMTx4aneWiYzx0Czd8Jm7SBSLvLFGchEqlPkr370P4loto+M9SPZFbEz+VQs734nmWQvbnAn9p/TKH47Pzki4iUyjoY5e+fbEuR205sQ2U0";
    private const string VectorPlaintext = "{\"out_trade_no\":\"pay-vector-1\",\"trade_state_desc\":\"支付成功\"}";

    private static readonly DateTimeOffset VectorNow = DateTimeOffset.FromUnixTimeSeconds(long.Parse(VectorTimestamp));

    private static WeChatPayProvider Provider(string keys = $"PUB_KEY_ID_VECTOR={VectorPublicKey}", string apiV3Key = VectorApiV3Key) =>
        new(PlatformKeyring.Parse(keys), [apiV3Key], "1900000109", TimeSpan.FromMinutes(5));

    private static WebhookRequest Notification(string body, string serial = "PUB_KEY_ID_VECTOR", string timestamp = VectorTimestamp, string signature = VectorSignature) => new(
        "wechatpay",
        new Dictionary<string, string>
        {
            ["Wechatpay-Timestamp"] = timestamp,
            ["Wechatpay-Nonce"] = VectorNonce,
            ["Wechatpay-Signature"] = signature,
            ["Wechatpay-Serial"] = serial,
        },
        Encoding.UTF8.GetBytes(body));

    [Fact]
    public void The_request_message_is_the_documented_example_line_for_line() =>
        // WeChat Pay's signing guide: GET /v3/certificates at 1554208460 with nonce 593BEC0C930BF1AFEB40B4A08C8FB242, no body.
        Assert.Equal(
            "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
            Encoding.UTF8.GetString(WeChatPaySignature.RequestMessage("GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", [])));

    [Fact]
    public void The_authorization_header_carries_every_field_and_a_signature_the_public_key_verifies()
    {
        using var merchant = RSA.Create(2048);
        var body = Encoding.UTF8.GetBytes("{\"mchid\":\"1900000109\",\"reason\":\"退款\"}");
        var message = WeChatPaySignature.RequestMessage("POST", "/v3/refund/domestic/refunds", "1700000000", "NONCE123", body);

        var header = WeChatPaySignature.Authorization("1900000109", "NONCE123", 1700000000, "SERIAL9", WeChatPaySignature.Sign(merchant, message));

        Assert.StartsWith("WECHATPAY2-SHA256-RSA2048 ", header, StringComparison.Ordinal);
        var fields = header["WECHATPAY2-SHA256-RSA2048 ".Length..].Split(',')
            .Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1].Trim('"'));
        Assert.Equal(("1900000109", "NONCE123", "1700000000", "SERIAL9"), (fields["mchid"], fields["nonce_str"], fields["timestamp"], fields["serial_no"]));
        // The message rebuilt here by hand from the documented layout, body bytes as UTF-8.
        var expected = Encoding.UTF8.GetBytes("POST\n/v3/refund/domestic/refunds\n1700000000\nNONCE123\n{\"mchid\":\"1900000109\",\"reason\":\"退款\"}\n");
        Assert.True(merchant.VerifyData(expected, Convert.FromBase64String(fields["signature"]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void A_signature_made_elsewhere_verifies_with_the_key_of_its_serial() =>
        Assert.True(Provider().Verify(Notification(VectorBody), VectorNow));

    [Fact]
    public void A_tampered_body_an_unknown_serial_or_a_stale_timestamp_fails()
    {
        Assert.False(Provider().Verify(Notification(VectorBody.Replace("成功", "失败", StringComparison.Ordinal)), VectorNow));
        Assert.False(Provider().Verify(Notification(VectorBody, serial: "PUB_KEY_ID_OTHER"), VectorNow));
        Assert.False(Provider().Verify(Notification(VectorBody), VectorNow.AddMinutes(5).AddSeconds(1)));
        Assert.True(Provider().Verify(Notification(VectorBody), VectorNow.AddMinutes(5)));
    }

    [Fact]
    public void The_serial_picks_the_key_so_a_key_under_another_serial_does_not_count()
    {
        using var other = RSA.Create(2048);
        var ring = $"PUB_KEY_ID_NEW={Convert.ToBase64String(other.ExportSubjectPublicKeyInfo())} PUB_KEY_ID_VECTOR={VectorPublicKey}";

        Assert.True(Provider(ring).Verify(Notification(VectorBody), VectorNow));
        Assert.False(Provider(ring).Verify(Notification(VectorBody, serial: "PUB_KEY_ID_NEW"), VectorNow));
    }

    [Fact]
    public void A_platform_certificate_is_accepted_as_a_key()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Tenpay.com Root CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var ring = PlatformKeyring.Parse($"5157F09EFDC096DE15EBE81A47057A7232F1B8E1={Convert.ToBase64String(certificate.RawData)}");
        var message = Encoding.UTF8.GetBytes("1\nn\n{}\n");

        Assert.True(ring.Verify("5157F09EFDC096DE15EBE81A47057A7232F1B8E1", message, key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    [Theory]
    [InlineData("PUB_KEY_ID_1", "entry 1 of 1")]
    [InlineData("PUB_KEY_ID_1=bm90IGEga2V5", "entry 1 of 1 (PUB_KEY_ID_1)")]
    [InlineData("A=" + VectorPublicKey + " A=" + VectorPublicKey, "serial A is listed twice")]
    public void A_malformed_key_list_names_the_entry_at_fault(string entries, string expected) =>
        Assert.Contains(expected, PlatformKeyring.FormatError(entries), StringComparison.Ordinal);

    [Fact]
    public void A_resource_encrypted_elsewhere_decrypts_with_the_tag_at_the_end() =>
        Assert.Equal(VectorPlaintext, Encoding.UTF8.GetString(Provider().Decrypt(VectorAesNonce, VectorAssociatedData, VectorCiphertext)!));

    [Fact]
    public void A_flipped_tag_byte_other_associated_data_or_another_key_does_not_decrypt()
    {
        var sealedBytes = Convert.FromBase64String(VectorCiphertext);
        sealedBytes[^1] ^= 1;

        Assert.Null(Provider().Decrypt(VectorAesNonce, VectorAssociatedData, Convert.ToBase64String(sealedBytes)));
        Assert.Null(Provider().Decrypt(VectorAesNonce, "refund", VectorCiphertext));
        Assert.Null(Provider(apiV3Key: "another-apiv3-key-of-32-chars!!!").Decrypt(VectorAesNonce, VectorAssociatedData, VectorCiphertext));
    }

    [Fact]
    public void Settings_of_the_wrong_format_are_refused_at_start_up_without_echoing_a_value()
    {
        var options = new WeChatPayOptions
        {
            MerchantId = "1900000109",
            MerchantSerial = "5157F09EFDC096DE",
            MerchantPrivateKey = "-----BEGIN PRIVATE KEY-----\nnot-a-key-secret-text\n-----END PRIVATE KEY-----",
            ApiV3Key = "too-short-secret",
            PlatformPublicKeys = "PUB_KEY_ID_1",
        };

        var errors = options.Validate(new ValidationContext(options)).Select(e => e.ErrorMessage!).ToList();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Connectors:WeChatPay:MerchantPrivateKey:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Connectors:WeChatPay:ApiV3Key, secret 1 of 1:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Connectors:WeChatPay:PlatformPublicKeys:", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("not-a-key-secret-text", StringComparison.Ordinal) || e.Contains("too-short-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_merchant_id_nothing_is_checked_the_connector_is_simply_absent() =>
        Assert.Empty(new WeChatPayOptions { ApiV3Key = "x", PlatformPublicKeys = "junk" }.Validate(new ValidationContext(new object())));

    [Theory]
    [InlineData("refund-pay-123", "refund-pay-123")]
    [InlineData("refund-pay:1.2", null)]
    public void The_idempotency_key_becomes_an_out_refund_no_the_same_every_time(string key, string? expected)
    {
        var number = WeChatPayGateway.RefundNumber(key);

        Assert.Equal(number, WeChatPayGateway.RefundNumber(key));
        Assert.True(number.Length <= 64 && number.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '|' or '*' or '@'));
        if (expected is not null)
        {
            Assert.Equal(expected, number);
        }
        else
        {
            Assert.NotEqual(WeChatPayGateway.RefundNumber(key + "x"), number);
        }
    }
}
