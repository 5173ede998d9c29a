namespace Hermes.Operations;

/// <summary>
/// The scope a per-thread mode override returns (<see cref="GemmWeightGradientConvolution.Use"/>,
/// <see cref="WinogradConvolution.Use"/>): disposing it once restores the override that was in force before.
/// </summary>
/// <param name="restore">Puts the previous override back on the calling thread.</param>
internal sealed class ThreadOverrideScope(Action restore) : IDisposable
{
    private bool disposed;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!disposed)
        {
            restore();
            disposed = true;
        }
    }
}
