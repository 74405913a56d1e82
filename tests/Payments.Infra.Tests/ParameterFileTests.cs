using System.Text.Json.Nodes;

namespace Payments.Infra.Tests;

/// <summary>The per-environment parameter files and azd's parameters fit main.bicep, and the deploy guide names every setting.</summary>
[Collection(DeploymentCollection.Name)]
public sealed class ParameterFileTests(DeploymentFixture deployment)
{
    [Fact]
    public void Each_parameter_file_sets_only_declared_parameters_and_every_required_one()
    {
        var declared = deployment.Template["parameters"]!.AsObject();
        var requiredNames = declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key).ToList();
        var files = deployment.CompiledParameters.ToDictionary(p => p.Key, p => p.Value);
        files["infra/main.parameters.json"] = JsonNode.Parse(File.ReadAllText(Repo.PathOf("infra/main.parameters.json")))!.AsObject();

        foreach (var (file, content) in files)
        {
            var given = content["parameters"]!.AsObject().Select(p => p.Key).ToList();
            Assert.True(given.All(declared.ContainsKey), $"{file} sets undeclared parameters: {string.Join(", ", given.Where(g => !declared.ContainsKey(g)))}");
            Assert.True(requiredNames.All(given.Contains), $"{file} misses required parameters: {string.Join(", ", requiredNames.Where(r => !given.Contains(r)))}");
        }
    }

    [Fact]
    public void The_deploy_guide_maps_every_app_setting()
    {
        var guide = File.ReadAllText(Repo.PathOf("docs/deploy.md"));
        var settings = CompiledTemplate.FindAppSettings(deployment.Template).Names;

        var undocumented = settings.Where(s => !guide.Contains($"`{s}`", StringComparison.Ordinal)).ToList();

        Assert.True(undocumented.Count == 0, $"docs/deploy.md does not list: {string.Join(", ", undocumented)}");
    }
}
