using MtaSts.Internal;

namespace MtaSts.Discovery;

/// <summary>Discovery stage: queries <c>_mta-sts.&lt;domain&gt;</c> (TXT-1) and selects the single STSv1 record (TXT-3).</summary>
internal sealed class RecordLookup(IMtaStsTxtResolver resolver, MtaStsParsingMode parsingMode)
{
    public async ValueTask<RecordLookupResult> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        var name = MtaStsConstants.TxtRecordPrefix + domain;
        if (name.Length > MtaStsConstants.MaxDomainNameLength)
        {
            // TXT-1: a valid domain of 245-253 octets has no room for the prefix (255 octets on the wire, RFC 1035
            // §2.3.4): no record can exist there, so no policy applies. Asking DNS would only fail.
            return new(RecordLookupStatus.NotFound, null, TimeSpan.Zero,
                $"{name.Length}-octet name: no TXT record can exist at _mta-sts.<domain> for a domain of {domain.Length} octets");
        }

        var answer = await resolver.ResolveTxtAsync(name, cancellationToken).ConfigureAwait(false);
        switch (answer.Status)
        {
            case MtaStsTxtLookupStatus.TemporaryFailure:
                return new(RecordLookupStatus.TemporaryFailure, null, TimeSpan.Zero, answer.Detail ?? $"{name}: DNS failure");
            case MtaStsTxtLookupStatus.NotFound:
                return new(RecordLookupStatus.NotFound, null, TimeSpan.Zero, answer.Detail ?? $"{name}: no TXT record");
        }

        return MtaStsRecord.Select(answer.Records, parsingMode, out var record, out var error) switch
        {
            MtaStsRecordSelection.Found => new(RecordLookupStatus.Found, record, answer.TimeToLive, null),
            MtaStsRecordSelection.NotFound => new(RecordLookupStatus.NotFound, null, answer.TimeToLive, $"{name}: {error}"),
            _ => new(RecordLookupStatus.Invalid, null, answer.TimeToLive, $"{name}: {error}"),
        };
    }
}
