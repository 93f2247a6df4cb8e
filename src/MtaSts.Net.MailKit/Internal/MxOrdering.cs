namespace MtaSts.MailKit.Internal;

/// <summary>RFC 5321 §5.1: MX hosts by preference, equal preferences in random order.</summary>
internal static class MxOrdering
{
    public static List<string> Order(IEnumerable<(int Preference, string Host)> mx, Random random) =>
        [.. mx.GroupBy(m => m.Preference)
              .OrderBy(g => g.Key)
              .SelectMany(g => g.Select(m => m.Host).OrderBy(_ => random.Next()))
              .Distinct(StringComparer.OrdinalIgnoreCase)];
}
