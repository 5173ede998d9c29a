using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>
/// Keeps a model in evaluation mode while any inference call on it runs, from any number of threads: the first call to
/// enter records the model's training flag and switches it to evaluation; the last to leave restores the flag. (Each call
/// saving and restoring the flag itself is a race: a call that ends first would put the model back in training mode under
/// the others, and a call that started while another had switched would "restore" evaluation mode for good.)
/// </summary>
internal sealed class EvaluationModeLease : IDisposable
{
    private static readonly ConditionalWeakTable<nn.Module, Users> Leases = new();
    private readonly nn.Module model;
    private readonly Users users;
    private bool disposed;

    private EvaluationModeLease(nn.Module model, Users users)
    {
        this.model = model;
        this.users = users;
    }

    /// <summary>Enters an inference call on <paramref name="model"/>; dispose the lease when the call ends.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The lease.</returns>
    public static EvaluationModeLease Enter(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var users = Leases.GetValue(model, _ => new Users());
        lock (users)
        {
            if (users.Count++ == 0)
            {
                users.WasTraining = model.training;
                if (users.WasTraining)
                {
                    model.eval();
                }
            }
        }

        return new EvaluationModeLease(model, users);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (users)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            if (--users.Count == 0 && users.WasTraining)
            {
                model.train();
            }
        }
    }

    private sealed class Users
    {
        public int Count;
        public bool WasTraining;
    }
}
