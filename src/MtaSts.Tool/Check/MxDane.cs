using MtaSts.Dane;

namespace MtaSts.Tool.Check;

/// <summary>
/// The DANE facts of one MX host as the check shows them: the state the decision uses and, when DANE does not apply
/// to the host at all (not in the MX RRset, a null MX, beyond the host limit), why.
/// </summary>
/// <param name="State">What <see cref="MtaStsPolicyState.EvaluateMxWithDane"/> is given; insecure when DANE does not apply.</param>
/// <param name="DoesNotApplyBecause">Why DANE was not looked up for this host; <see langword="null"/> when it was.</param>
internal sealed record MxDane(DaneState State, string? DoesNotApplyBecause = null)
{
    /// <summary>A host DANE does not apply to: the MTA-STS rows decide it.</summary>
    public static MxDane DoesNotApply(string host, string because) => new(DaneState.Insecure(host, because), because);
}
