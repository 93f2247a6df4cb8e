using MtaSts.DependencyInjection;

namespace MtaSts.MailKit.Delivery;

/// <summary>Reads <see cref="MtaStsDirectSenderOptions"/> from <c>MtaSts:Delivery</c> (AOT-safe).</summary>
internal sealed class MtaStsDirectSenderConfigurationBinder : IOptionsBinder<MtaStsDirectSenderOptions>
{
    public static string Key => "Delivery";

    public static SectionKeys Keys { get; } = new(
    [
        nameof(MtaStsDirectSenderOptions.Port), nameof(MtaStsDirectSenderOptions.HeloName), nameof(MtaStsDirectSenderOptions.ConnectTimeout),
        nameof(MtaStsDirectSenderOptions.CommandTimeout), nameof(MtaStsDirectSenderOptions.MaxMxHosts), nameof(MtaStsDirectSenderOptions.MaxAddressesPerHost),
        nameof(MtaStsDirectSenderOptions.CheckMxCertificateRevocation), nameof(MtaStsDirectSenderOptions.UseDane),
        nameof(MtaStsDirectSenderOptions.DaneRequiredDomains), nameof(MtaStsDirectSenderOptions.HonorTlsRequiredHeader),
    ]);

    public static void Bind(ConfigurationReader reader, MtaStsDirectSenderOptions options)
    {
        reader.Int(nameof(MtaStsDirectSenderOptions.Port), v => options.Port = v);
        reader.String(nameof(MtaStsDirectSenderOptions.HeloName), v => options.HeloName = v);
        reader.TimeSpan(nameof(MtaStsDirectSenderOptions.ConnectTimeout), v => options.ConnectTimeout = v);
        reader.TimeSpan(nameof(MtaStsDirectSenderOptions.CommandTimeout), v => options.CommandTimeout = v);
        reader.Int(nameof(MtaStsDirectSenderOptions.MaxMxHosts), v => options.MaxMxHosts = v);
        reader.Int(nameof(MtaStsDirectSenderOptions.MaxAddressesPerHost), v => options.MaxAddressesPerHost = v);
        reader.Bool(nameof(MtaStsDirectSenderOptions.CheckMxCertificateRevocation), v => options.CheckMxCertificateRevocation = v);
        reader.Bool(nameof(MtaStsDirectSenderOptions.UseDane), v => options.UseDane = v);
        reader.Each(nameof(MtaStsDirectSenderOptions.DaneRequiredDomains), text =>
        {
            options.DaneRequiredDomains.Add(text);
            return true; // the validator checks each name, from configuration or code alike
        }, "a domain name");
        reader.Bool(nameof(MtaStsDirectSenderOptions.HonorTlsRequiredHeader), v => options.HonorTlsRequiredHeader = v);
    }
}

/// <summary>Validates <see cref="MtaStsDirectSenderOptions"/> at start-up: the <c>MtaSts:Delivery</c> section and every option.</summary>
internal sealed class MtaStsDirectSenderOptionsValidator(MtaStsConfiguration? configuration = null)
    : SectionValidator<MtaStsDirectSenderOptions, MtaStsDirectSenderConfigurationBinder>(configuration)
{
    protected override void Check(MtaStsDirectSenderOptions options, OptionsRules rules)
    {
        rules.Between(nameof(MtaStsDirectSenderOptions.Port), options.Port, 1, 65535);
        rules.NotEmpty(nameof(MtaStsDirectSenderOptions.HeloName), options.HeloName);
        rules.Positive(nameof(MtaStsDirectSenderOptions.ConnectTimeout), options.ConnectTimeout);
        rules.Positive(nameof(MtaStsDirectSenderOptions.CommandTimeout), options.CommandTimeout);
        rules.AtLeastOne(nameof(MtaStsDirectSenderOptions.MaxMxHosts), options.MaxMxHosts);
        rules.AtLeastOne(nameof(MtaStsDirectSenderOptions.MaxAddressesPerHost), options.MaxAddressesPerHost);
        foreach (var domain in options.DaneRequiredDomains)
        {
            if (!MtaSts.Internal.DomainName.IsHostName(domain?.TrimEnd('.') ?? string.Empty))
            {
                rules.Fail(nameof(MtaStsDirectSenderOptions.DaneRequiredDomains), "must hold domain names", domain);
            }
        }

        if (options.DaneRequiredDomains.Count > 0 && !options.UseDane)
        {
            rules.Fail($"{rules.Key(nameof(MtaStsDirectSenderOptions.DaneRequiredDomains))} needs {rules.Key(nameof(MtaStsDirectSenderOptions.UseDane))} = true: requiring DANE for a domain needs the DANE lookups.");
        }
    }
}
