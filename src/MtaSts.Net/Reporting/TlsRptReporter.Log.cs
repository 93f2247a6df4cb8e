using Microsoft.Extensions.Logging;

namespace MtaSts.Reporting;

internal sealed partial class TlsRptReporter
{
    [LoggerMessage(1000, LogLevel.Information, "TLS-RPT report {ReportId} for {Domain} delivered to {Uri}", EventName = "ReportDelivered")]
    private partial void LogDelivered(string reportId, string domain, string uri);

    [LoggerMessage(1001, LogLevel.Warning, "TLS-RPT report for {Domain} could not be delivered: {Failures}", EventName = "ReportFailed")]
    private partial void LogFailed(string domain, string failures);

    [LoggerMessage(1002, LogLevel.Warning, "TLS-RPT state {Key} could not be read or saved: {Reason}", EventName = "ReportStateUnreadable")]
    private partial void LogStateUnreadable(string key, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "TLS-RPT rua {Uri} of {Domain} skipped: {Reason}", EventName = "ReportUriSkipped")]
    private partial void LogRuaSkipped(string domain, string uri, string reason);

    [LoggerMessage(1004, LogLevel.Error, "TLS-RPT report for {Domain} failed unexpectedly", EventName = "ReportUnexpectedError")]
    private partial void LogUnexpected(string domain, Exception exception);

    [LoggerMessage(1005, LogLevel.Warning, "TLS-RPT reports of {Day} dropped unsent for {Domains} domains: older than the report age limit", EventName = "ReportDayDropped")]
    private partial void LogDayDropped(DateOnly day, int domains);

    [LoggerMessage(1006, LogLevel.Warning, "TLS-RPT: {Sessions} sessions on {Day} were not counted: more than {Limit} domains that day", EventName = "ReportDomainLimit")]
    private partial void LogSessionsDropped(DateOnly day, long sessions, int limit);

    [LoggerMessage(1007, LogLevel.Warning, "TLS-RPT: {Sessions} sessions were not counted by the state store: more than {Limit} domains a day, or too many policies for a domain", EventName = "ReportStoreLimit")]
    private partial void LogStoreDropped(long sessions, int limit);
}
