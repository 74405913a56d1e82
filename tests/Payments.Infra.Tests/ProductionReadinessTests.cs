using System.Text.Json.Nodes;

namespace Payments.Infra.Tests;

/// <summary>
/// Issue 16, items 2 and 4 to 8, on the compiled template as each parameter file makes it: the
/// production plan starts and is warm, prod is zone redundant end to end, it is refused without an
/// alert recipient or the Entra ID app registration, the alerts' telemetry is not sampled away,
/// the operator routes sit behind Entra ID, every service logs to the workspace, private-network mode
/// closes storage and Key Vault, and a re-provision finds its way past a soft-deleted vault. Each
/// check is also shown to catch a fault planted in a copy.
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class ProductionReadinessTests(DeploymentFixture deployment)
{
    private const string Prod = "infra/main.prod.bicepparam";
    private const string Dev = "infra/main.dev.bicepparam";
    private const string ClientId = "00000000-0000-0000-0000-00000000abcd";

    /// <summary>The prod parameter file's values with what its environment variables supply in a real deployment.</summary>
    private JsonObject ProdValues(Action<JsonObject>? change = null)
    {
        var values = deployment.CompiledParameters[Prod]["parameters"]!.DeepClone().AsObject();
        values["alertEmail"] = new JsonObject { ["value"] = "payments-oncall@example.com" };
        values["authClientId"] = new JsonObject { ["value"] = ClientId };
        change?.Invoke(values);
        return values;
    }

    private ArmEvaluator ProdDeployment(JsonObject? template = null, Action<JsonObject>? change = null) =>
        new(template ?? deployment.Template, ProdValues(change));

    private ArmEvaluator DevDeployment() => new(deployment.Template, deployment.CompiledParameters[Dev]["parameters"]!.AsObject());

    [Fact]
    public void Every_parameter_file_deploys_a_flex_plan_that_starts_and_prod_keeps_http_and_durable_warm()
    {
        Assert.Empty(ProductionChecks.PlanProblems(ProdDeployment(), requireWarm: true));
        Assert.Empty(ProductionChecks.PlanProblems(DevDeployment(), requireWarm: false));
        Assert.Equal("prod", ProdDeployment().RootParameter("environmentProfile")!.GetValue<string>());
    }

    [Fact]
    public void A_run_from_package_setting_or_a_cold_durable_group_is_caught()
    {
        var template = deployment.TemplateCopy();
        CompiledTemplate.FindAppSettings(template).SetInTemplate("WEBSITE_RUN_FROM_PACKAGE", "1");

        Assert.Single(ProductionChecks.PlanProblems(ProdDeployment(template), requireWarm: true), p => p.Contains("WEBSITE_RUN_FROM_PACKAGE", StringComparison.Ordinal));
        // Dev scales to zero: held to the production rule it has no warm groups.
        Assert.Equal(2, ProductionChecks.PlanProblems(DevDeployment(), requireWarm: true).Count);
    }

    [Fact]
    public void Prod_is_zone_redundant_end_to_end()
    {
        Assert.Empty(ProductionChecks.ZoneProblems(ProdDeployment()));
    }

    [Fact]
    public void A_single_zone_plan_storage_or_service_bus_is_caught()
    {
        // Dev is the natural negative: one zone, LRS, Standard Service Bus.
        Assert.Equal(3, ProductionChecks.ZoneProblems(DevDeployment()).Count);
        // And a prod copy whose Service Bus tier is pinned to Standard.
        var template = deployment.TemplateCopy();
        var sb = CompiledTemplate.ResourcesOfType(template, "Microsoft.ServiceBus/namespaces").Single();
        sb.Resource["sku"]!["name"] = "Standard";
        Assert.Single(ProductionChecks.ZoneProblems(ProdDeployment(template)), p => p.Contains("Service Bus", StringComparison.Ordinal));
    }

    [Fact]
    public void A_prod_deploy_without_an_alert_recipient_or_app_registration_is_refused()
    {
        Assert.Empty(ProductionChecks.ProductionGuardProblems(deployment.Template, ProdValues()));
        Assert.Empty(ProductionChecks.Refusals(ProdDeployment()));
        // The prod parameter file alone (no PAYMENTS_ALERT_EMAIL set) is refused; dev is not.
        Assert.Contains(ProductionChecks.Refusals(new ArmEvaluator(deployment.Template, deployment.CompiledParameters[Prod]["parameters"]!.AsObject())),
            r => r.EndsWith(": alertEmail", StringComparison.Ordinal));
        Assert.Empty(ProductionChecks.Refusals(DevDeployment()));
    }

    [Fact]
    public void A_guard_that_accepts_an_empty_recipient_is_caught()
    {
        var template = deployment.TemplateCopy();
        var guard = CompiledTemplate.Resources(template).Single(r => r.NestedScope?.Template["parameters"]?["alertEmail"] is not null && r.NestedScope.Template["parameters"]!["alertEmail"]!["minLength"] is not null);
        guard.NestedScope!.Template["parameters"]!["alertEmail"]!.AsObject().Remove("minLength");

        Assert.Equal(["a production deployment with an empty alertEmail is not refused"], ProductionChecks.ProductionGuardProblems(template, ProdValues()));
    }

    [Fact]
    public void The_telemetry_the_log_alerts_query_is_never_sampled()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Repo.PathOf("host.json")))!.AsObject();

        Assert.Empty(ProductionChecks.SamplingProblems(hostJson, deployment.Template));
    }

    [Fact]
    public void Sampling_that_excludes_only_requests_is_caught()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Repo.PathOf("host.json")))!.AsObject();
        hostJson["logging"]!["applicationInsights"]!["samplingSettings"]!["excludedTypes"] = "Request";

        var problems = ProductionChecks.SamplingProblems(hostJson, deployment.Template);

        Assert.Equal(2, problems.Count); // parked items and failed orchestrations read traces
        Assert.All(problems, p => Assert.Contains("`traces`", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Entra_id_guards_every_route_but_callbacks_and_health_in_prod()
    {
        Assert.Empty(ProductionChecks.AuthProblems(ProdDeployment()));
    }

    [Fact]
    public void Operator_routes_excluded_from_sign_in_or_a_missing_registration_are_caught()
    {
        var template = deployment.TemplateCopy();
        var auth = CompiledTemplate.ResourcesOfType(template, "Microsoft.Web/sites/config").Single(c => c.Name.Contains("authsettingsV2", StringComparison.Ordinal));
        auth.Properties["globalValidation"]!["excludedPaths"]!.AsArray().Add("/api/ops");

        Assert.Equal(["/api/ops is excluded from authentication"], ProductionChecks.AuthProblems(ProdDeployment(template)));
        Assert.Single(ProductionChecks.AuthProblems(DevDeployment())); // dev without an app registration: none deployed
    }

    [Fact]
    public void The_operator_console_is_behind_entra_id_sign_in_and_excluding_it_is_caught()
    {
        var template = deployment.TemplateCopy();
        var auth = CompiledTemplate.ResourcesOfType(template, "Microsoft.Web/sites/config").Single(c => c.Name.Contains("authsettingsV2", StringComparison.Ordinal));
        var excluded = auth.Properties["globalValidation"]!["excludedPaths"]!.AsArray();
        Assert.DoesNotContain(excluded, p => "/api/ops/console".StartsWith(p!.GetValue<string>(), StringComparison.Ordinal));

        excluded.Add("/api/ops/console");

        Assert.Equal(["/api/ops/console is excluded from authentication"], ProductionChecks.AuthProblems(ProdDeployment(template)));
    }

    [Fact]
    public void Key_vault_audit_service_bus_storage_and_app_logs_reach_the_workspace()
    {
        Assert.Empty(ProductionChecks.DiagnosticsProblems(ProdDeployment()));
        Assert.Empty(ProductionChecks.DiagnosticsProblems(DevDeployment()));
    }

    [Fact]
    public void A_missing_key_vault_audit_setting_is_caught()
    {
        var template = deployment.TemplateCopy();
        var vaultModule = CompiledTemplate.Resources(template).Single(r => r.NestedScope is not null
            && CompiledTemplate.ResourcesOfType(r.NestedScope.Template, "Microsoft.KeyVault/vaults").Any()
            && r.Type == "Microsoft.Resources/deployments");
        var resources = vaultModule.NestedScope!.Template["resources"]!;
        var audit = resources is JsonObject byName
            ? byName.First(p => p.Value?["type"]?.GetValue<string>() == "Microsoft.Insights/diagnosticSettings").Key
            : null;
        if (audit is not null)
        {
            ((JsonObject)resources).Remove(audit);
        }
        else
        {
            var array = resources.AsArray();
            array.Remove(array.First(r => r?["type"]?.GetValue<string>() == "Microsoft.Insights/diagnosticSettings"));
        }

        Assert.Equal(["no diagnostic setting sends Microsoft.KeyVault/vaults logs to the workspace"], ProductionChecks.DiagnosticsProblems(ProdDeployment(template)));
    }

    [Fact]
    public void Private_network_mode_closes_storage_and_key_vault_behind_private_endpoints()
    {
        var ev = ProdDeployment(change: v => v["privateNetworking"] = new JsonObject { ["value"] = true });

        Assert.Empty(ProductionChecks.PrivateNetworkProblems(ev));
    }

    [Fact]
    public void Without_private_network_mode_or_with_storage_left_public_the_gaps_are_caught()
    {
        Assert.Equal(7, ProductionChecks.PrivateNetworkProblems(ProdDeployment()).Count); // 4 endpoints, storage, vault, VNet integration

        var template = deployment.TemplateCopy();
        var account = CompiledTemplate.ResourcesOfType(template, "Microsoft.Storage/storageAccounts").Single();
        account.Properties["publicNetworkAccess"] = "Enabled";
        var ev = ProdDeployment(template, v => v["privateNetworking"] = new JsonObject { ["value"] = true });
        Assert.Single(ProductionChecks.PrivateNetworkProblems(ev), p => p.Contains("Microsoft.Storage/storageAccounts", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reprovision_can_take_a_new_vault_name_or_recover_the_soft_deleted_vault()
    {
        var ev = ProdDeployment(change: v =>
        {
            v["keyVaultNameSuffix"] = new JsonObject { ["value"] = "b2" };
            v["keyVaultCreateMode"] = new JsonObject { ["value"] = "recover" };
        });

        Assert.Empty(ProductionChecks.KeyVaultReprovisionProblems(ev, "b2", "recover"));
        Assert.Empty(ProductionChecks.KeyVaultReprovisionProblems(ProdDeployment(), "", "default"));
    }

    [Fact]
    public void A_vault_name_that_ignores_the_suffix_is_caught()
    {
        var template = deployment.TemplateCopy();
        var vault = CompiledTemplate.ResourcesOfType(template, "Microsoft.KeyVault/vaults").Single();
        vault.Resource["name"] = "kv-pay-fixed";
        vault.Properties["createMode"] = "default";
        var ev = ProdDeployment(template, v =>
        {
            v["keyVaultNameSuffix"] = new JsonObject { ["value"] = "b2" };
            v["keyVaultCreateMode"] = new JsonObject { ["value"] = "recover" };
        });

        Assert.Equal(2, ProductionChecks.KeyVaultReprovisionProblems(ev, "b2", "recover").Count);
    }

    [Fact]
    public void Azd_takes_the_profile_and_principal_type_from_its_environment()
    {
        var azd = JsonNode.Parse(File.ReadAllText(Repo.PathOf("infra/main.parameters.json")))!["parameters"]!;

        Assert.Equal("${AZURE_PRINCIPAL_TYPE=User}", azd["principalType"]!["value"]!.GetValue<string>());
        Assert.StartsWith("${PAYMENTS_PROFILE", azd["environmentProfile"]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        // The Key Vault officer role is assigned with that type (a service principal in CI).
        var officer = new ArmEvaluator(deployment.Template, new JsonObject
        {
            ["principalId"] = new JsonObject { ["value"] = "11111111-1111-1111-1111-111111111111" },
            ["principalType"] = new JsonObject { ["value"] = "ServicePrincipal" },
        });
        var assignment = CompiledTemplate.ResourcesOfType(deployment.Template, "Microsoft.Authorization/roleAssignments")
            .Where(officer.IsDeployed)
            .Single(a => officer.Evaluate(a.Properties["principalId"], a.Scope)?.GetValue<string>() == "11111111-1111-1111-1111-111111111111");
        Assert.Equal("ServicePrincipal", officer.Evaluate(assignment.Properties["principalType"], assignment.Scope)!.GetValue<string>());
    }

    [Fact]
    public void The_retry_lane_lock_outlasts_the_lanes_renewal_margin()
    {
        Assert.Empty(ProductionChecks.LaneLockProblems(ProdDeployment(), Payments.Storage.ServiceBusLane.LockRenewalMargin));
    }

    [Fact]
    public void A_lock_shorter_than_the_renewal_margin_allows_is_caught()
    {
        var template = deployment.TemplateCopy();
        CompiledTemplate.ResourcesOfType(template, "Microsoft.ServiceBus/namespaces/queues").Single().Properties["lockDuration"] = "PT40S";

        Assert.Single(ProductionChecks.LaneLockProblems(ProdDeployment(template), Payments.Storage.ServiceBusLane.LockRenewalMargin));
    }

    [Fact]
    public void Durable_partitions_and_queue_polling_are_decided_in_host_json()
    {
        var provider = JsonNode.Parse(File.ReadAllText(Repo.PathOf("host.json")))!["extensions"]!["durableTask"]!["storageProvider"]!;

        Assert.InRange(provider["partitionCount"]!.GetValue<int>(), 1, 16);
        Assert.NotNull(provider["maxQueuePollingInterval"]);
        var scale = File.ReadAllText(Repo.PathOf("docs/scale.md"));
        Assert.Contains("partitionCount", scale, StringComparison.Ordinal);
        Assert.Contains("maxQueuePollingInterval", scale, StringComparison.Ordinal);
    }
}
