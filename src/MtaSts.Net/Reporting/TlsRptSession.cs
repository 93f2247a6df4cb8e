namespace MtaSts.Reporting;

/// <summary>What the sender knows about one SMTP session beyond the MTA-STS decision, for <c>failure-details</c>.</summary>
/// <param name="SendingMtaIp">The local address of the connection.</param>
/// <param name="ReceivingIp">The MX address.</param>
/// <param name="ReceivingMxHelo">The name in the MX greeting.</param>
/// <param name="AdditionalInformation">More detail, such as STARTTLS-stripping evidence.</param>
public sealed record TlsRptSession(string? SendingMtaIp = null, string? ReceivingIp = null, string? ReceivingMxHelo = null, string? AdditionalInformation = null);
