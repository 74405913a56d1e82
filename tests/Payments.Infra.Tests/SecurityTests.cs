using System.Text.RegularExpressions;

namespace Payments.Infra.Tests;

/// <summary>Transport security, identity-only access, least-privilege roles, the retry lane's limits and the alerts.</summary>
[Collection(DeploymentCollection.Name)]
public sealed class SecurityTests(DeploymentFixture deployment)
{
    // Built-in role definition ids (the same in every tenant).
    private static readonly Dictionary<string, string> DataRoles = new()
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"] = "Azure Service Bus Data Sender",
        ["4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0"] = "Azure Service Bus Data Receiver",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
    };

    // Granted to the deploying operator only (to set the secrets), never to the app.
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    [Fact]
    public void Https_tls12_no_public_blobs_no_ftp_no_shared_keys()
    {
        Assert.Empty(DeploymentChecks.SecurityViolations(deployment.Template));
    }

    [Fact]
    public void Security_flags_turned_off_in_a_copy_are_caught()
    {
        var template = deployment.TemplateCopy();
        CompiledTemplate.ResourcesOfType(template, "Microsoft.Web/sites").Single().Properties["httpsOnly"] = false;
        CompiledTemplate.ResourcesOfType(template, "Microsoft.Storage/storageAccounts").Single().Properties["allowBlobPublicAccess"] = true;
        CompiledTemplate.ResourcesOfType(template, "Microsoft.Web/sites").Single().Properties["siteConfig"]!["ftpsState"] = "AllAllowed";

        var violations = DeploymentChecks.SecurityViolations(template);

        Assert.Equal(3, violations.Count);
        Assert.Contains(violations, v => v.Contains("httpsOnly", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("allowBlobPublicAccess", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("ftpsState", StringComparison.Ordinal));
    }

    [Fact]
    public void Role_assignments_grant_exactly_the_data_plane_roles_the_app_needs()
    {
        var granted = CompiledTemplate.ResourcesOfType(deployment.Template, "Microsoft.Authorization/roleAssignments")
            .SelectMany(RoleIdsOf)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Exactly these: no Owner, Contributor, User Access Administrator or Storage Account Contributor.
        Assert.Equal(DataRoles.Keys.Append(KeyVaultSecretsOfficer).Order(), granted.Order());
    }

    /// <summary>Role definition ids an assignment can take: GUIDs in its expression and in the variables it reads (role maps for loops).</summary>
    private static IEnumerable<string> RoleIdsOf(TemplateResource assignment)
    {
        var expression = assignment.Properties["roleDefinitionId"]!.GetValue<string>();
        var variables = Regex.Matches(expression, @"variables\('(?<name>[^']+)'\)")
            .Select(m => assignment.Scope.Variable(m.Groups["name"].Value)?.ToJsonString() ?? "");
        return variables.Append(expression)
            .SelectMany(text => Regex.Matches(text, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase))
            .Select(m => m.Value);
    }

    [Fact]
    public void The_retry_lane_queue_bounds_deliveries_detects_duplicates_and_dead_letters_expired_messages()
    {
        var queue = CompiledTemplate.ResourcesOfType(deployment.Template, "Microsoft.ServiceBus/namespaces/queues").Single().Properties;

        Assert.NotNull(queue["maxDeliveryCount"]);
        Assert.Equal(true, queue["requiresDuplicateDetection"]?.GetValue<bool>());
        Assert.NotNull(queue["duplicateDetectionHistoryTimeWindow"]);
        Assert.Equal(true, queue["deadLetteringOnMessageExpiration"]?.GetValue<bool>());
    }

    [Fact]
    public void Alerts_cover_dead_letters_parked_items_reconciliation_discrepancies_and_failed_orchestrations()
    {
        var metricAlert = CompiledTemplate.ResourcesOfType(deployment.Template, "Microsoft.Insights/metricAlerts")
            .Single(a => a.Name.Contains("dead-letters", StringComparison.Ordinal)).Properties;
        var criterion = metricAlert["criteria"]!["allOf"]![0]!;
        Assert.Equal("DeadletteredMessages", criterion["metricName"]!.GetValue<string>());
        Assert.Equal("GreaterThan", criterion["operator"]!.GetValue<string>());
        Assert.Equal(0, criterion["threshold"]!.GetValue<int>());

        var logAlerts = CompiledTemplate.ResourcesOfType(deployment.Template, "Microsoft.Insights/scheduledQueryRules").Single();
        var queries = logAlerts.Scope.Variable("logAlerts")!.AsArray().Select(a => a!["query"]!.GetValue<string>()).ToList();
        Assert.Contains(queries, q => q.Contains("Parked ", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains(Payments.Recovery.PipelineMetrics.ReconciliationDiscrepanciesName, StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("prop__state == \"Failed\"", StringComparison.Ordinal));
    }
}
