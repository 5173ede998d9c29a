namespace Hermes.Data;

/// <summary>Where a patch is cut from a case.</summary>
/// <param name="Start">Patch start <c>(d, h, w)</c> in voxels; negative or past the end where the volume is smaller than the patch (padded).</param>
/// <param name="Foreground">Whether this is a foreground-oversampled patch (centred on a voxel of <paramref name="LabelValue"/>).</param>
/// <param name="LabelValue">The label value the patch was centred on, or 0 for a random patch.</param>
public readonly record struct PatchDraw(int[] Start, bool Foreground, int LabelValue);
