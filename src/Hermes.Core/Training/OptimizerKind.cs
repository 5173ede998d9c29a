using System.Text.Json.Serialization;

namespace Hermes.Training;

/// <summary>
/// The optimisers the library trains with. Configuration files and JSON name them <c>lamb</c> and <c>adamw</c> (any case).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>LAMB (the reference's optimiser, <see cref="LambOptimizer"/>).</summary>
    [JsonStringEnumMemberName("lamb")]
    Lamb,

    /// <summary>AdamW (<see cref="AdamWOptimizer"/>).</summary>
    [JsonStringEnumMemberName("adamw")]
    AdamW,
}
