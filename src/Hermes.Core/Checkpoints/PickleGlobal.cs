namespace Hermes.Checkpoints;

/// <summary>The whitelisted callables a checkpoint pickle may name. Each maps to a data constructor in this library.</summary>
internal enum PickleCallable
{
    RebuildTensorV2,
    RebuildTensor,
    RebuildParameter,
    RebuildParameterWithState,
    OrderedDict,
    TorchSize,
    CodecsEncode,
}

/// <summary>A resolved, whitelisted pickle global.</summary>
internal sealed record PickleGlobal(string Module, string Name, PickleCallable Callable)
{
    /// <summary>The globals this reader accepts (besides the typed storage classes), for messages.</summary>
    public static readonly IReadOnlyDictionary<string, PickleCallable> Whitelist = new Dictionary<string, PickleCallable>(StringComparer.Ordinal)
    {
        ["torch._utils._rebuild_tensor_v2"] = PickleCallable.RebuildTensorV2,
        ["torch._utils._rebuild_tensor"] = PickleCallable.RebuildTensor,
        ["torch._utils._rebuild_parameter"] = PickleCallable.RebuildParameter,
        ["torch._utils._rebuild_parameter_with_state"] = PickleCallable.RebuildParameterWithState,
        ["collections.OrderedDict"] = PickleCallable.OrderedDict,
        ["torch.Size"] = PickleCallable.TorchSize,
        ["_codecs.encode"] = PickleCallable.CodecsEncode,
    };

    public string FullName => $"{Module}.{Name}";
}
