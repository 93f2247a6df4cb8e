namespace MtaSts.Decisions;

/// <summary>The facts the decision table reads.</summary>
/// <param name="Domain">The policy domain, for the failure details.</param>
/// <param name="Policy">The policy that applies, if any.</param>
/// <param name="DiscoveryFailure">What went wrong during discovery, if anything.</param>
/// <param name="DiscoveryBlocks">Discovery failed in a way that must stop delivery (temporary DNS failure, nothing cached).</param>
/// <param name="DiscoveryReportable">A valid TXT record exists but no policy could be fetched (FLOW-8, RPT-1).</param>
/// <param name="RequireValidCertificateWithoutPolicy">The sender's own rule: a certificate must be valid even without a policy.</param>
/// <param name="MxMatches">Whether the MX host matches an <c>mx</c> pattern of the policy (always true without one).</param>
/// <param name="Session">What the sender saw of the session.</param>
internal readonly record struct DecisionInput(
    string Domain,
    MtaStsPolicy? Policy,
    MtaStsFailure? DiscoveryFailure,
    bool DiscoveryBlocks,
    bool DiscoveryReportable,
    bool RequireValidCertificateWithoutPolicy,
    bool MxMatches,
    SessionFacts Session);
