using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tool.Network;

/// <summary>
/// The roots the tool trusts: the machine store (which honours <c>SSL_CERT_FILE</c> / <c>SSL_CERT_DIR</c>) and, with
/// <c>--ca-file</c>, the certificates of a PEM file too. <see langword="null"/> means the machine store alone.
/// </summary>
internal static class TrustRoots
{
    public static bool TryLoad(string? caFile, out X509Certificate2Collection? roots, out string? error)
    {
        roots = null;
        error = null;
        if (caFile is null)
        {
            return true;
        }

        var extra = new X509Certificate2Collection();
        try
        {
            extra.ImportFromPemFile(caFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error = $"--ca-file {caFile}: {ex.Message}";
            return false;
        }

        if (extra.Count == 0)
        {
            error = $"--ca-file {caFile}: no certificate in the file";
            return false;
        }

        // The library takes roots *instead of* the machine store: hand it both.
        using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            extra.AddRange(store.Certificates);
        }
        catch (CryptographicException)
        {
            // No machine store on this platform: the file's roots alone.
        }

        roots = extra;
        return true;
    }
}
