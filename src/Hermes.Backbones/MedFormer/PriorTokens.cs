using Hermes.Abstractions;
using Hermes.Priors.Fusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>Appends a stage's priors after its semantic-map tokens, and splits them off again after attention.</summary>
internal static class PriorTokens
{
    public static Tensor Append(Tensor map, PriorPool? pool, PriorRequest? request)
    {
        if (pool is null)
        {
            return map;
        }

        if (request is null)
        {
            throw new InvalidOperationException("This MedFormer stage fuses priors and needs task and modality indices.");
        }

        return cat([map, pool.Select(request)], 1);
    }

    public static (Tensor Map, Tensor? Posterior) Split(Tensor tokens, int mapTokens) =>
        tokens.shape[1] == mapTokens
            ? (tokens, null)
            : (tokens.narrow(1, 0, mapTokens), tokens.narrow(1, mapTokens, tokens.shape[1] - mapTokens));
}
