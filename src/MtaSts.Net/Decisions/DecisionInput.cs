namespace MtaSts.Decisions;

/// <summary>The facts the decision table reads.</summary>
/// <param name="Policy">The policy that applies, if any.</param>
/// <param name="DiscoveryFailure">What went wrong during discovery, if anything.</param>
/// <param name="DiscoveryBlocks">Discovery failed in a way that must stop delivery (temporary DNS failure, nothing cached).</param>
/// <param name="DiscoveryReportable">A valid TXT record exists but no policy could be fetched (FLOW-8, RPT-1).</param>
/// <param name="CheckFailure">The MX / STARTTLS / certificate check that failed, if any.</param>
/// <param name="RequireValidCertificateWithoutPolicy">The sender's own rule: a certificate must be valid even without a policy.</param>
internal readonly record struct DecisionInput(
    MtaStsPolicy? Policy,
    MtaStsFailure? DiscoveryFailure,
    bool DiscoveryBlocks,
    bool DiscoveryReportable,
    MtaStsFailure? CheckFailure,
    bool RequireValidCertificateWithoutPolicy);
