using System.Security.Cryptography;
using System.Text;

namespace MtaSts.Reporting;

/// <summary>The default <see cref="TlsRptOptions.InstanceId"/>: the machine name and a hash of the installation.</summary>
internal static class TlsRptInstanceId
{
    public static string CreateDefault(string? contentRoot)
    {
        var machine = new string([.. Environment.MachineName.Where(char.IsAsciiLetterOrDigit).Take(40)]);
        var installation = $"{AppContext.BaseDirectory}\n{contentRoot}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(installation)).AsSpan(0, 6));
        return $"{(machine.Length == 0 ? "host" : machine)}-{hash}";
    }

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
