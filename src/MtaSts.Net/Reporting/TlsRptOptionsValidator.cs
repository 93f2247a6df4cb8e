using MtaSts.DependencyInjection;

namespace MtaSts.Reporting;

/// <summary>Reads <see cref="TlsRptOptions"/> from <c>MtaSts:TlsRpt</c> (AOT-safe).</summary>
internal sealed class TlsRptConfigurationBinder : IOptionsBinder<TlsRptOptions>
{
    public static string Key => "TlsRpt";

    public static SectionKeys Keys { get; } = new(
    [
        nameof(TlsRptOptions.OrganizationName), nameof(TlsRptOptions.ContactInfo), nameof(TlsRptOptions.StateDirectory),
        nameof(TlsRptOptions.DkimDomain), nameof(TlsRptOptions.DkimSelector), nameof(TlsRptOptions.DkimPrivateKey), nameof(TlsRptOptions.DkimPrivateKeyFile),
        nameof(TlsRptOptions.MaxRandomDelay), nameof(TlsRptOptions.RetryFor), nameof(TlsRptOptions.FirstRetryDelay), nameof(TlsRptOptions.InstanceId),
        nameof(TlsRptOptions.MaxReportAge), nameof(TlsRptOptions.MaxReportUrisPerDomain), nameof(TlsRptOptions.DomainTimeBudget),
        nameof(TlsRptOptions.HttpTimeout), nameof(TlsRptOptions.AllowPrivateEndpoints), nameof(TlsRptOptions.StopTimeout),
        nameof(TlsRptOptions.MaxConcurrentDomains), nameof(TlsRptOptions.MaxDomainsPerDay),
    ]);

    public static void Bind(ConfigurationReader reader, TlsRptOptions options)
    {
        reader.String(nameof(TlsRptOptions.OrganizationName), v => options.OrganizationName = v);
        reader.String(nameof(TlsRptOptions.ContactInfo), v => options.ContactInfo = v);
        reader.String(nameof(TlsRptOptions.StateDirectory), v => options.StateDirectory = v);
        reader.String(nameof(TlsRptOptions.DkimDomain), v => options.DkimDomain = v);
        reader.String(nameof(TlsRptOptions.DkimSelector), v => options.DkimSelector = v);
        reader.String(nameof(TlsRptOptions.DkimPrivateKey), v => options.DkimPrivateKey = v);
        reader.String(nameof(TlsRptOptions.DkimPrivateKeyFile), v => options.DkimPrivateKeyFile = v);
        reader.TimeSpan(nameof(TlsRptOptions.MaxRandomDelay), v => options.MaxRandomDelay = v);
        reader.TimeSpan(nameof(TlsRptOptions.RetryFor), v => options.RetryFor = v);
        reader.TimeSpan(nameof(TlsRptOptions.FirstRetryDelay), v => options.FirstRetryDelay = v);
        reader.String(nameof(TlsRptOptions.InstanceId), v => options.InstanceId = v);
        reader.TimeSpan(nameof(TlsRptOptions.MaxReportAge), v => options.MaxReportAge = v);
        reader.Int(nameof(TlsRptOptions.MaxReportUrisPerDomain), v => options.MaxReportUrisPerDomain = v);
        reader.TimeSpan(nameof(TlsRptOptions.DomainTimeBudget), v => options.DomainTimeBudget = v);
        reader.TimeSpan(nameof(TlsRptOptions.HttpTimeout), v => options.HttpTimeout = v);
        reader.Bool(nameof(TlsRptOptions.AllowPrivateEndpoints), v => options.AllowPrivateEndpoints = v);
        reader.TimeSpan(nameof(TlsRptOptions.StopTimeout), v => options.StopTimeout = v);
        reader.Int(nameof(TlsRptOptions.MaxConcurrentDomains), v => options.MaxConcurrentDomains = v);
        reader.Int(nameof(TlsRptOptions.MaxDomainsPerDay), v => options.MaxDomainsPerDay = v);
    }
}

/// <summary>Validates <see cref="TlsRptOptions"/> at start-up: the <c>MtaSts:TlsRpt</c> section and every rule, one message per broken rule.</summary>
internal sealed class TlsRptOptionsValidator(MtaStsConfiguration? configuration = null)
    : SectionValidator<TlsRptOptions, TlsRptConfigurationBinder>(configuration)
{
    protected override void Check(TlsRptOptions options, OptionsRules rules)
    {
        rules.NotEmpty(nameof(TlsRptOptions.OrganizationName), options.OrganizationName);
        if (!TlsRptUri.TryGetMailbox("mailto:" + options.ContactInfo, out _, out _))
        {
            rules.Fail(nameof(TlsRptOptions.ContactInfo), "must be a plain address (RFC 8460 §4.4)", options.ContactInfo);
        }

        if (options.InstanceId is not null && !TlsRptInstanceId.IsValid(options.InstanceId))
        {
            rules.Fail(nameof(TlsRptOptions.InstanceId), "must be 1-64 letters, digits, '-', '_' or '.'", options.InstanceId);
        }

        ValidateDkim(rules, options);
        rules.NotNegative(nameof(TlsRptOptions.MaxRandomDelay), options.MaxRandomDelay);
        rules.NotNegative(nameof(TlsRptOptions.RetryFor), options.RetryFor);
        rules.Positive(nameof(TlsRptOptions.FirstRetryDelay), options.FirstRetryDelay);
        rules.Positive(nameof(TlsRptOptions.HttpTimeout), options.HttpTimeout);
        rules.Positive(nameof(TlsRptOptions.DomainTimeBudget), options.DomainTimeBudget);
        rules.Positive(nameof(TlsRptOptions.MaxReportAge), options.MaxReportAge);
        rules.Positive(nameof(TlsRptOptions.StopTimeout), options.StopTimeout);
        rules.AtLeastOne(nameof(TlsRptOptions.MaxReportUrisPerDomain), options.MaxReportUrisPerDomain);
        rules.AtLeastOne(nameof(TlsRptOptions.MaxConcurrentDomains), options.MaxConcurrentDomains);
        rules.AtLeastOne(nameof(TlsRptOptions.MaxDomainsPerDay), options.MaxDomainsPerDay);
    }

    // All or nothing: a domain, a selector and exactly one key source.
    private static void ValidateDkim(OptionsRules rules, TlsRptOptions options)
    {
        if (options.DkimDomain is null && options.DkimSelector is null && options.DkimPrivateKey is null && options.DkimPrivateKeyFile is null)
        {
            return;
        }

        if (!Internal.DomainName.IsHostName(options.DkimDomain ?? string.Empty))
        {
            rules.Fail(nameof(TlsRptOptions.DkimDomain), "must be a domain name when DKIM is configured", options.DkimDomain);
        }
        else if (!TlsRptDkimAlignment.IsAligned(options.DkimDomain!, options.ContactInfo))
        {
            // RFC 8460 §3, RPT-17: the signature is the reporting domain's, the domain report mail comes From.
            rules.Fail($"{rules.Key(nameof(TlsRptOptions.DkimDomain))} '{options.DkimDomain}' must be the domain of {rules.Key(nameof(TlsRptOptions.ContactInfo))} " +
                $"'{options.ContactInfo}' (the report's From) or a parent of it (RFC 8460 §3): a signature of another domain is not aligned.");
        }

        if (string.IsNullOrWhiteSpace(options.DkimSelector) || !options.DkimSelector.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
        {
            rules.Fail(nameof(TlsRptOptions.DkimSelector), "must be a selector (letters, digits, '-', '.', '_') when DKIM is configured", options.DkimSelector);
        }

        if ((options.DkimPrivateKey is null) == (options.DkimPrivateKeyFile is null))
        {
            rules.Fail($"Set exactly one of {rules.Key(nameof(TlsRptOptions.DkimPrivateKey))} and {rules.Key(nameof(TlsRptOptions.DkimPrivateKeyFile))} when DKIM is configured.");
        }
        else if (options.DkimPrivateKeyFile is { } file && !File.Exists(file))
        {
            rules.Fail(nameof(TlsRptOptions.DkimPrivateKeyFile), "must name an existing file", file);
        }
    }
}
