using System.Net;
using Microsoft.Extensions.Logging;

namespace MtaSts.MailKit.Delivery;

// Event ids: 8xx delivery.
public sealed partial class MtaStsDirectSender
{
    [LoggerMessage(800, LogLevel.Information, "Delivered to {MxHost} ({Address}), encrypted: {Encrypted}, verdict {Verdict}", EventName = "Delivered")]
    private partial void LogDelivered(string mxHost, IPAddress address, bool encrypted, MtaStsVerdict verdict);

    [LoggerMessage(801, LogLevel.Warning, "MTA-STS skips MX {MxHost} before connecting: {Failure}", EventName = "CandidateRefused")]
    private partial void LogCandidateRefused(string mxHost, string? failure);

    [LoggerMessage(802, LogLevel.Error, "MTA-STS refused the session with {MxHost} ({Address}): {Failure}", EventName = "SessionRefused")]
    private partial void LogSessionRefused(string mxHost, IPAddress address, string? failure);

    [LoggerMessage(803, LogLevel.Warning, "STARTTLS likely stripped on the path to {MxHost}: {Evidence}", EventName = "StartTlsStripped")]
    private partial void LogStartTlsStripped(string mxHost, string evidence);

    [LoggerMessage(804, LogLevel.Warning, "Delivery attempt to {MxHost} ({Address}) failed ({ErrorKind}): {Error}", EventName = "AttemptFailed")]
    private partial void LogAttemptFailed(string mxHost, IPAddress address, MtaStsAttemptError errorKind, string error);

    [LoggerMessage(805, LogLevel.Information, "MTA-STS policy of {Domain} changed on re-check ({OldId} → {NewId}); retrying at once", EventName = "PolicyChangedOnRecheck")]
    private partial void LogPolicyChanged(string domain, string? oldId, string? newId);

    [LoggerMessage(806, LogLevel.Warning, "Every MX of {Domain} failed under the MTA-STS policy after {Attempts} attempts; deferred", EventName = "DeferredByPolicy")]
    private partial void LogDeferredByPolicy(string domain, int attempts);

    [LoggerMessage(807, LogLevel.Warning, "TLS upgrade with {MxHost} ({Address}) failed; recorded for TLS-RPT: {Failure}", EventName = "TlsUpgradeFailed")]
    private partial void LogTlsFailed(string mxHost, IPAddress address, string? failure);

    [LoggerMessage(808, LogLevel.Warning, "TLS-Required: No honoured for {Domain}: MTA-STS and DANE set aside for this message (RFC 8689 §4.3)", EventName = "TlsRequiredNoHonored")]
    private partial void LogTlsRequiredNoHonored(string domain);

    [LoggerMessage(809, LogLevel.Warning, "DANE is on, but the resolver {NameServers} does not validate DNSSEC (no AD bit for the signed root zone): every TLSA lookup will read insecure and DANE will never apply. Use a validating resolver on this machine (a local unbound)", EventName = "DaneResolverNotValidating")]
    private partial void LogDaneResolverNotValidating(string nameServers);

    [LoggerMessage(810, LogLevel.Warning, "DANE is on, but the name servers {NameServers} are not on this machine: their AD bit travels unprotected and an attacker on the path can forge it (RFC 7672 §2.1). Use a validating resolver on loopback", EventName = "DaneResolverNotLocal")]
    private partial void LogDaneResolverNotLocal(string nameServers);

    [LoggerMessage(811, LogLevel.Warning, "DANE is on, but the resolver {NameServers} did not answer the DNSSEC check (a question for the signed root zone): whether it validates is unknown", EventName = "DaneResolverUnanswered")]
    private partial void LogDaneResolverUnanswered(string nameServers);
}
