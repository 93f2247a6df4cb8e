using System.Net;
using System.Net.Sockets;

namespace MtaSts.Tool.Network;

/// <summary>The outcome of opening a TCP connection to a named host: the socket, or whether the name resolved and why it failed.</summary>
internal sealed record ConnectResult(Socket? Socket, bool Resolved, IPAddress? Address, string? Error);
