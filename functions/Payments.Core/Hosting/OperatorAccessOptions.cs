using System.ComponentModel.DataAnnotations;

namespace Payments.Hosting;

/// <summary>
/// Who may use the operator API, bound from <c>OperatorAccess</c>. In Azure, App Service
/// authentication (Entra ID) signs callers in and injects <c>X-MS-CLIENT-PRINCIPAL</c> (stripping any
/// copy a client sends); with <see cref="RequireSignIn"/> the operator routes then refuse a request
/// without that principal (401) or without <see cref="Role"/> among its app roles (403). Locally there
/// is no sign-in: the caller is taken from the request as given and audited as unverified.
/// </summary>
public sealed class OperatorAccessOptions
{
    public const string Section = "OperatorAccess";

    public bool RequireSignIn { get; set; }

    /// <summary>The app role (of the Entra ID app registration) an operator must hold.</summary>
    [Required, MinLength(1)]
    public string Role { get; set; } = "Payments.Operator";
}
