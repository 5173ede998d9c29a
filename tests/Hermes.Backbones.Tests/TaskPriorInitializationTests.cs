using Hermes.Priors.Fusion;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>
/// The model builders start every task prior table as <see cref="TaskPriorInitialization"/> says: unit-normal rows by
/// default, the reference's Xavier-uniform on request; nothing else in the model depends on the choice.
/// </summary>
public sealed class TaskPriorInitializationTests
{
    public static TheoryData<string> Architectures => new() { "hermes-r", "hermes-m" };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void TaskTablesAreUnitNormalByDefaultAndXavierOnRequestWithEveryOtherWeightUnchanged(string architecture)
    {
        using var unit = Build(architecture, TaskPriorInitialization.UnitNormal);
        using var xavier = Build(architecture, TaskPriorInitialization.XavierUniform);
        using var scope = NewDisposeScope();
        var reference = xavier.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var tables = 0;
        foreach (var (name, table) in unit.named_parameters())
        {
            if (!name.EndsWith(".task_prior", StringComparison.Ordinal))
            {
                Assert.True(Hermes.Testing.TensorEquality.Same(table, reference[name]), $"{name} differs between the two initialisations");
                continue;
            }

            tables++;
            var dim = table.shape[1];
            var rows = table.shape[0];
            var bound = Math.Sqrt(6.0 / (dim + rows));
            var std = table.std().item<float>();
            Assert.InRange(std, 0.8, 1.2); // N(0, 1) over (tn + 1) · dim ≥ 600 values
            Assert.True(table.abs().max().item<float>() > 2 * bound, $"{name}: max |row| {table.abs().max().item<float>()} looks Xavier (bound {bound:F3})");
            var x = reference[name];
            Assert.InRange(x.abs().max().item<float>(), 0.5 * bound, bound * (1 + 1e-6));
        }

        Assert.Equal(5, tables); // one table per fused scale in both published architectures
    }

    [Fact]
    public void AnUnknownSchemeIsRejectedByName()
    {
        using var model = Build("hermes-r", TaskPriorInitialization.XavierUniform);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TaskPriorInitializer.Apply(model, (TaskPriorInitialization)7));
        Assert.Contains("UnitNormal, XavierUniform", e.Message, StringComparison.Ordinal);
    }

    private static Hermes.Abstractions.UniversalSegmenter Build(string architecture, TaskPriorInitialization scheme)
    {
        random.manual_seed(17);
        return architecture == "hermes-r"
            ? HermesR.Create(new HermesROptions
            {
                Backbone = new ResUNetOptions { BaseChannels = 8 }, TaskCount = 6, ModalityCount = 3, TaskPriorInitialization = scheme,
            })
            : HermesM.Create(Transfer.ExtensionFixture.SmallMOptions(6, 3) with { TaskPriorInitialization = scheme });
    }
}
