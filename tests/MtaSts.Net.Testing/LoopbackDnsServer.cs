using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace MtaSts.Testing;

/// <summary>
/// A real DNS server on 127.0.0.1 (UDP and TCP, ARSoft.Tools.Net) with a small zone the tests edit, answering like a
/// recursive resolver: CNAME chains are flattened into one answer unless a test asks otherwise. Counts queries per name.
/// Plays a validating resolver for DANE: answers under a zone marked signed carry the AD bit when the query asked for
/// DNSSEC (DO bit, RFC 6840 §5.8), every other answer goes without; a bogus name is a <see cref="ReturnCode.ServerFailure"/>.
/// </summary>
public sealed class LoopbackDnsServer : IDisposable
{
    private readonly DnsServer _server;
    private readonly ConcurrentDictionary<string, List<DnsRecordBase>> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (string Target, bool Flatten)> _cnames = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ReturnCode> _codes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _queries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _signedZones = new(StringComparer.OrdinalIgnoreCase);
    private int _dnssecQueries;

    private LoopbackDnsServer(IPEndPoint endPoint)
    {
        EndPoint = endPoint;
        _server = new DnsServer(new UdpServerTransport(endPoint, 2000), new TcpServerTransport(endPoint, 2000, 2000));
        _server.QueryReceived += OnQueryReceivedAsync;
        _server.Start();
    }

    public IPEndPoint EndPoint { get; }

    public static LoopbackDnsServer Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            try
            {
                return new LoopbackDnsServer(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException) when (attempt < 5)
            {
                // The port was taken between the probe and the bind; try another.
            }
        }
    }

    public int Queries(string name) => _queries.TryGetValue(name.TrimEnd('.'), out var n) ? n : 0;

    public int TotalQueries => _queries.Values.Sum();

    /// <summary>How many queries asked for DNSSEC (the DO bit).</summary>
    public int DnssecQueries => Volatile.Read(ref _dnssecQueries);

    /// <summary>Marks <paramref name="zone"/> and every name under it as signed: answers carry the AD bit for DO queries.</summary>
    public void SetSigned(string zone) => _signedZones[zone.TrimEnd('.')] = true;

    /// <summary>
    /// Whether the server plays a validating resolver for the root zone: a DNSSEC question for <c>.</c> is answered
    /// NOERROR with the AD bit (what a resolver that validates does, since the root is signed). On by default.
    /// </summary>
    public bool AuthenticatesRoot { get; set; } = true;

    /// <summary>Makes <paramref name="name"/> bogus: the validating resolver answers SERVFAIL (RFC 4035 §5.5).</summary>
    public void SetBogus(string name) => SetReturnCode(name, ReturnCode.ServerFailure);

    /// <summary>Sets the TLSA RRset of a name, e.g. <c>_25._tcp.mx.example.net</c>.</summary>
    public void SetTlsa(string name, params (byte Usage, byte Selector, byte MatchingType, byte[] Data)[] records) =>
        Set(name, RecordType.Tlsa, [.. records.Select(r => (DnsRecordBase)new TlsaRecord(DomainName.Parse(name), 300,
            (TlsaRecord.TlsaCertificateUsage)r.Usage, (TlsaRecord.TlsaSelector)r.Selector, (TlsaRecord.TlsaMatchingType)r.MatchingType, r.Data))]);

    /// <summary>Sets the TXT RRset of a name; each record is one or more character-strings.</summary>
    public void SetTxt(string name, int ttl, params string[][] records) =>
        Set(name, RecordType.Txt, [.. records.Select(parts => (DnsRecordBase)new TxtRecord(DomainName.Parse(name), ttl, parts))]);

    /// <summary>Sets the TXT RRset of a name to single-string records with a 300 s TTL.</summary>
    public void SetTxt(string name, params string[] records) => SetTxt(name, 300, [.. records.Select(r => new[] { r })]);

    public void SetMx(string name, params (ushort Preference, string Host)[] mx) =>
        Set(name, RecordType.Mx, [.. mx.Select(m => (DnsRecordBase)new MxRecord(DomainName.Parse(name), 300, m.Preference, DomainName.Parse(m.Host)))]);

    public void SetA(string name, IPAddress address) => Set(name, RecordType.A, [new ARecord(DomainName.Parse(name), 300, address)]);

    public void SetCname(string name, string target, bool flatten = true) => _cnames[name] = (target, flatten);

    public void SetReturnCode(string name, ReturnCode code) => _codes[name] = code;

    /// <summary>Answers questions of one type for <paramref name="name"/> with <paramref name="code"/> (e.g. SERVFAIL for A only).</summary>
    public void SetReturnCode(string name, RecordType type, ReturnCode code) => _codes[$"{name}|{type}"] = code;

    public void SetDelay(string name, TimeSpan delay) => _delays[name] = delay;

    public void Remove(string name)
    {
        _records.TryRemove(name, out _);
        _cnames.TryRemove(name, out _);
        _codes.TryRemove(name, out _);
    }

    public void Dispose()
    {
        try
        {
            _server.Stop();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            // ARSoft's Stop() sometimes surfaces the cancellation of its own listener tasks.
        }
    }

    private void Set(string name, RecordType type, List<DnsRecordBase> records)
    {
        var list = _records.GetOrAdd(name, _ => []);
        lock (list)
        {
            list.RemoveAll(r => r.RecordType == type);
            list.AddRange(records);
        }
    }

    private async Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count != 1)
        {
            return;
        }

        var question = query.Questions[0];
        var printed = question.Name.ToString().TrimEnd('.');
        var name = printed.Length == 0 ? printed : new System.Globalization.IdnMapping().GetAscii(printed); // ARSoft prints U-labels; "" is the root
        _queries.AddOrUpdate(name, 1, (_, n) => n + 1);
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        if (_delays.TryGetValue(name, out var delay))
        {
            await Task.Delay(delay).ConfigureAwait(false);
        }

        if (_codes.TryGetValue(name, out var code) || _codes.TryGetValue($"{name}|{question.RecordType}", out code))
        {
            response.ReturnCode = code;
            e.Response = response;
            return;
        }

        if (name.Length == 0)
        {
            response.ReturnCode = ReturnCode.NoError;
            response.IsAuthenticData = query.IsDnsSecOk && AuthenticatesRoot;
            e.Response = response;
            return;
        }

        response.ReturnCode = Answer(name, question.RecordType, response.AnswerRecords, depth: 0) ? ReturnCode.NoError : ReturnCode.NxDomain;
        if (query.IsDnsSecOk)
        {
            Interlocked.Increment(ref _dnssecQueries);
            response.IsAuthenticData = IsSigned(name) && response.AnswerRecords.All(r => IsSigned(r.Name.ToString().TrimEnd('.')));
        }

        e.Response = response;
    }

    // Returns whether the name exists.
    private bool Answer(string name, RecordType type, List<DnsRecordBase> answers, int depth)
    {
        if (_cnames.TryGetValue(name, out var cname))
        {
            answers.Add(new CNameRecord(DomainName.Parse(name), 300, DomainName.Parse(cname.Target)));
            if (cname.Flatten && depth < 16)
            {
                Answer(cname.Target, type, answers, depth + 1);
            }

            return true;
        }

        if (!_records.TryGetValue(name, out var list))
        {
            return false;
        }

        lock (list)
        {
            answers.AddRange(list.Where(r => r.RecordType == type));
        }

        return true;
    }

    private bool IsSigned(string name)
    {
        for (var suffix = name; suffix.Length > 0; suffix = suffix.Contains('.', StringComparison.Ordinal) ? suffix[(suffix.IndexOf('.', StringComparison.Ordinal) + 1)..] : string.Empty)
        {
            if (_signedZones.ContainsKey(suffix))
            {
                return true;
            }
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
