using System.ComponentModel.DataAnnotations;

namespace Payments.Replay;

/// <summary>What to replay where, from the command line (<c>--Target … --Fixtures …</c>) or the environment (<c>Replay__…</c>).</summary>
public sealed class ReplayOptions
{
    public const string Section = "Replay";

    /// <summary>The target deployment's base address, e.g. <c>https://func-payments-staging.azurewebsites.net/</c>.</summary>
    [Required]
    public Uri? Target { get; set; }

    /// <summary>A fixture file, or a folder of them (<c>*.json</c>).</summary>
    [Required]
    public string? Fixtures { get; set; }

    /// <summary>
    /// <c>Raw</c>: post each fixture's bytes and headers to <c>/api/callbacks/{provider}</c>, as the
    /// gateway did (the target checks the signature's time against its own clock, so timestamp-signed
    /// callbacks must be fresh). <c>Ops</c>: post the file to the target's <c>/api/ops/callbacks/replay</c>,
    /// which verifies as of each fixture's capture time (needs an operator's function key, and sign-in
    /// where the target requires it).
    /// </summary>
    public ReplayMode Mode { get; set; } = ReplayMode.Raw;

    /// <summary>The target's function key for <c>Ops</c> (sent as <c>x-functions-key</c>); better given as <c>Replay__FunctionKey</c> in the environment.</summary>
    public string? FunctionKey { get; set; }

    /// <summary>A bearer token for a target behind App Service authentication (<c>Ops</c>).</summary>
    public string? BearerToken { get; set; }
}
