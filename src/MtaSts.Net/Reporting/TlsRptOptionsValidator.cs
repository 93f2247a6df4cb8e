using System.Globalization;
using Microsoft.Extensions.Options;

namespace MtaSts.Reporting;

/// <summary>The rules <c>AddTlsRpt</c> checks at start, one message per broken rule, naming the option and its value.</summary>
internal sealed class TlsRptOptionsValidator : IValidateOptions<TlsRptOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsRptOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [];
        if (string.IsNullOrWhiteSpace(options.OrganizationName))
        {
            failures.Add($"{nameof(TlsRptOptions.OrganizationName)} is required.");
        }

        if (!TlsRptUri.TryGetMailbox("mailto:" + options.ContactInfo, out _, out _))
        {
            failures.Add($"{nameof(TlsRptOptions.ContactInfo)} must be a plain address (RFC 8460 §4.4), not '{options.ContactInfo}'.");
        }

        if (options.InstanceId is not null && !TlsRptInstanceId.IsValid(options.InstanceId))
        {
            failures.Add($"{nameof(TlsRptOptions.InstanceId)} must be 1-64 letters, digits, '-', '_' or '.', not '{options.InstanceId}'.");
        }

        ValidateDkim(failures, options);
        NotNegative(failures, nameof(TlsRptOptions.MaxRandomDelay), options.MaxRandomDelay);
        NotNegative(failures, nameof(TlsRptOptions.RetryFor), options.RetryFor);
        Positive(failures, nameof(TlsRptOptions.FirstRetryDelay), options.FirstRetryDelay);
        Positive(failures, nameof(TlsRptOptions.HttpTimeout), options.HttpTimeout);
        Positive(failures, nameof(TlsRptOptions.DomainTimeBudget), options.DomainTimeBudget);
        Positive(failures, nameof(TlsRptOptions.MaxReportAge), options.MaxReportAge);
        Positive(failures, nameof(TlsRptOptions.StopTimeout), options.StopTimeout);
        AtLeastOne(failures, nameof(TlsRptOptions.MaxReportUrisPerDomain), options.MaxReportUrisPerDomain);
        AtLeastOne(failures, nameof(TlsRptOptions.MaxConcurrentDomains), options.MaxConcurrentDomains);
        AtLeastOne(failures, nameof(TlsRptOptions.MaxDomainsPerDay), options.MaxDomainsPerDay);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(f => "MtaSts TLS-RPT: " + f));
    }

    // All or nothing: a domain, a selector and exactly one key source.
    private static void ValidateDkim(List<string> failures, TlsRptOptions options)
    {
        if (options.DkimDomain is null && options.DkimSelector is null && options.DkimPrivateKey is null && options.DkimPrivateKeyFile is null)
        {
            return;
        }

        if (!Internal.DomainName.IsHostName(options.DkimDomain ?? string.Empty))
        {
            failures.Add($"{nameof(TlsRptOptions.DkimDomain)} must be a domain name when DKIM is configured, not '{options.DkimDomain}'.");
        }
        else if (!TlsRptDkimAlignment.IsAligned(options.DkimDomain!, options.ContactInfo))
        {
            // RFC 8460 §3, RPT-17: the signature is the reporting domain's, the domain report mail comes From.
            failures.Add($"{nameof(TlsRptOptions.DkimDomain)} '{options.DkimDomain}' must be the domain of {nameof(TlsRptOptions.ContactInfo)} " +
                $"'{options.ContactInfo}' (the report's From) or a parent of it (RFC 8460 §3): a signature of another domain is not aligned.");
        }

        if (string.IsNullOrWhiteSpace(options.DkimSelector) || !options.DkimSelector.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
        {
            failures.Add($"{nameof(TlsRptOptions.DkimSelector)} must be a selector (letters, digits, '-', '.', '_') when DKIM is configured, not '{options.DkimSelector}'.");
        }

        if ((options.DkimPrivateKey is null) == (options.DkimPrivateKeyFile is null))
        {
            failures.Add($"Set exactly one of {nameof(TlsRptOptions.DkimPrivateKey)} and {nameof(TlsRptOptions.DkimPrivateKeyFile)} when DKIM is configured.");
        }
        else if (options.DkimPrivateKeyFile is { } file && !File.Exists(file))
        {
            failures.Add($"{nameof(TlsRptOptions.DkimPrivateKeyFile)} '{file}' does not exist.");
        }
    }

    private static void NotNegative(List<string> failures, string option, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{option} must not be negative, not {value}."));
        }
    }

    private static void Positive(List<string> failures, string option, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{option} must be positive, not {value}."));
        }
    }

    private static void AtLeastOne(List<string> failures, string option, int value)
    {
        if (value < 1)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{option} must be at least 1, not {value}."));
        }
    }
}
