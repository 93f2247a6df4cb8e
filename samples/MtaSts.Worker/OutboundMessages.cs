using System.Threading.Channels;

namespace MtaSts.Worker;

/// <summary>One message waiting for delivery: its recipient domain and the MX host the MTA chose for it.</summary>
public sealed record OutboundMessage(string Id, string RecipientDomain, string MxHost);

/// <summary>A toy outbound queue, filled from configuration ("Queue:0" = "example.com mx1.example.com").</summary>
public sealed class OutboundMessages
{
    private readonly Channel<OutboundMessage> _channel = Channel.CreateBounded<OutboundMessage>(1000);

    public OutboundMessages(IConfiguration configuration)
    {
        var n = 0;
        foreach (var line in configuration.GetSection("Queue").GetChildren().Select(c => c.Value))
        {
            var parts = (line ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2)
            {
                _channel.Writer.TryWrite(new OutboundMessage($"msg-{++n}", parts[0], parts[1]));
            }
        }

        _channel.Writer.TryComplete();
    }

    public IAsyncEnumerable<OutboundMessage> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}
