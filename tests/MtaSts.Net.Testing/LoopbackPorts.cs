using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace MtaSts.Testing;

/// <summary>Free ports and readiness checks on the loopback range (127.0.0.0/8 is all loopback on Linux).</summary>
public static class LoopbackPorts
{
    /// <summary>A TCP port that is free on each of <paramref name="addresses"/>.</summary>
    public static int FreePort(params IPAddress[] addresses)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            if (addresses.All(a => IsFree(a, port)))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free loopback port found in 50 attempts");
    }

    /// <summary>
    /// Waits (at most 5 s) until a listener is bound at <paramref name="endPoint"/>, without connecting to it (a probe
    /// connection would count as a session at an SMTP receiver).
    /// </summary>
    public static async Task WaitUntilListeningAsync(IPEndPoint endPoint)
    {
        for (var attempt = 0; attempt < 250; attempt++)
        {
            if (IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Contains(endPoint))
            {
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new TimeoutException($"nothing listens at {endPoint} after 5 s");
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
