using MtaSts.MailKit.Delivery;

namespace MtaSts.Demo;

/// <summary>One demo case: a recipient domain set up in the world, and what must happen when we mail it.</summary>
/// <param name="Number">The row number.</param>
/// <param name="Name">What the case shows.</param>
/// <param name="Network">The network condition.</param>
/// <param name="Policy">The recipient's MTA-STS policy.</param>
/// <param name="Domain">The recipient domain.</param>
/// <param name="Receiver">The MX host whose receiver the attacker must not reach, or that must get the message.</param>
/// <param name="SetUpAsync">Publishes DNS, the policy and starts the receivers.</param>
/// <param name="Expect">Whether the delivery result and what the receiver got are as MTA-STS requires.</param>
public sealed record Scenario(
    int Number,
    string Name,
    string Network,
    string Policy,
    string Domain,
    string Receiver,
    Func<DemoWorld, Task> SetUpAsync,
    Func<MtaStsDeliveryResult, ReceiverView, bool> Expect);

/// <summary>What a receiver saw: sessions opened, messages in plain text and over TLS.</summary>
public sealed record ReceiverView(int Sessions, int PlainMessages, int TlsMessages)
{
    public override string ToString() => (PlainMessages, TlsMessages, Sessions) switch
    {
        (0, 0, 0) => "nothing (no connection)",
        (0, 0, _) => "nothing",
        (0, var tls, _) => $"{tls} message over TLS",
        (var plain, 0, _) => $"{plain} message in PLAINTEXT",
        _ => $"{PlainMessages} plaintext, {TlsMessages} TLS",
    };
}
