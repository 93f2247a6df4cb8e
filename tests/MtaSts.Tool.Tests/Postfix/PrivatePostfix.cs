using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>
/// Debian's Postfix, run by the test with its own configuration, queue and log in a temporary directory. It resolves
/// next hops through libc (<c>smtp_dns_support_level = disabled</c>, <c>smtp_host_lookup = native</c>) and sees a
/// hosts file of the test's making, bind-mounted over <c>/etc/hosts</c> inside a private mount namespace
/// (<c>unshare -m</c>); everything it reaches is on loopback. Stopped and cleaned up on dispose.
/// </summary>
internal sealed class PrivatePostfix : IAsyncDisposable
{
    private const string PostfixCommand = "/usr/sbin/postfix";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);
    private readonly Process _master;

    private PrivatePostfix(string directory, Process master)
    {
        Root = directory;
        _master = master;
    }

    public string Root { get; }

    public string ConfigDirectory => Path.Combine(Root, "conf");

    public string LogFile => Path.Combine(Root, "maillog");

    /// <summary>The main.cf lines for <paramref name="daemonPort"/> (docs/postfix.md shows the same lines).</summary>
    public static string MainCf(string directory, int daemonPort, int smtpPort, string caFile) => $"""
        compatibility_level = 3.6
        queue_directory = {directory}/queue
        data_directory = {directory}/data
        maillog_file = {directory}/maillog
        maillog_file_prefixes = {directory}
        myhostname = sender.test
        mydestination =
        inet_interfaces = loopback-only
        inet_protocols = ipv4
        alias_maps =
        alias_database =
        smtp_dns_support_level = disabled
        smtp_host_lookup = native
        smtp_tcp_port = {smtpPort}
        smtp_connect_timeout = 5s
        smtp_tls_security_level = may
        smtp_tls_CAfile = {caFile}
        smtp_tls_loglevel = 1
        smtp_tls_policy_maps = socketmap:inet:127.0.0.1:{daemonPort}:postfix

        """;

    // Every service unchrooted (column 5 "n"): the CA file and the daemon's socket are outside any chroot.
    private const string MasterCf = """
        pickup    unix  n       -       n       60      1       pickup
        cleanup   unix  n       -       n       -       0       cleanup
        qmgr      unix  n       -       n       300     1       qmgr
        tlsmgr    unix  -       -       n       1000?   1       tlsmgr
        rewrite   unix  -       -       n       -       -       trivial-rewrite
        bounce    unix  -       -       n       -       0       bounce
        defer     unix  -       -       n       -       0       bounce
        trace     unix  -       -       n       -       0       bounce
        verify    unix  -       -       n       -       1       verify
        flush     unix  n       -       n       1000?   0       flush
        proxymap  unix  -       -       n       -       -       proxymap
        smtp      unix  -       -       n       -       -       smtp
        showq     unix  n       -       n       -       -       showq
        error     unix  -       -       n       -       -       error
        retry     unix  -       -       n       -       -       error
        discard   unix  -       -       n       -       -       discard
        anvil     unix  -       -       n       -       1       anvil
        scache    unix  -       -       n       -       1       scache
        postlog   unix-dgram n  -       n       -       1       postlogd

        """;

    /// <summary>Writes the configuration and starts Postfix; fails (never skips) when Postfix is not installed.</summary>
    public static async Task<PrivatePostfix> StartAsync(int daemonPort, int smtpPort, string caFile, IReadOnlyDictionary<string, IPAddress> hosts)
    {
        File.Exists(PostfixCommand).Should().BeTrue(
            "Debian's postfix must be installed for the end-to-end test (.ci/run installs it: apt-get install postfix)");
        var directory = Path.Combine("/tmp", $"mta-sts-postfix-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(Path.Combine(directory, "conf"));
        Directory.CreateDirectory(Path.Combine(directory, "queue"));
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        await RunAsync("chown", "postfix", Path.Combine(directory, "data"));
        await File.WriteAllTextAsync(Path.Combine(directory, "conf", "main.cf"), MainCf(directory, daemonPort, smtpPort, caFile));
        await File.WriteAllTextAsync(Path.Combine(directory, "conf", "master.cf"), MasterCf);
        var hostsFile = Path.Combine(directory, "hosts");
        await File.WriteAllTextAsync(hostsFile, "127.0.0.1 localhost\n"
            + string.Concat(hosts.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.Value} {h.Key}\n"))));

        var start = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "unshare", "-m", "--propagation", "private", "--", "sh", "-c",
                $"mount --bind '{hostsFile}' /etc/hosts && exec {PostfixCommand} -c '{directory}/conf' start-fg" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var master = Process.Start(start)!;
        var postfix = new PrivatePostfix(directory, master);
        try
        {
            await postfix.WaitForLogAsync(log => log.Contains("daemon started", StringComparison.Ordinal), StartLimit);
        }
        catch
        {
            await postfix.DisposeAsync();
            throw;
        }

        return postfix;
    }

    /// <summary>Queues a message through Postfix's sendmail.</summary>
    public async Task SendAsync(string from, string to)
    {
        var send = new ProcessStartInfo("/usr/sbin/sendmail") { ArgumentList = { "-C", ConfigDirectory, "-f", from, to }, RedirectStandardInput = true };
        using var process = Process.Start(send)!;
        await process.StandardInput.WriteAsync($"From: {from}\nTo: {to}\nSubject: MTA-STS through Postfix\n\nHello over TLS.\n");
        process.StandardInput.Close();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);
        process.ExitCode.Should().Be(0, "sendmail queued the message");
    }

    /// <summary>Waits until the mail log satisfies <paramref name="done"/>; returns the log. Fails with the log after <paramref name="limit"/>.</summary>
    public async Task<string> WaitForLogAsync(Func<string, bool> done, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        var log = string.Empty;
        while (DateTime.UtcNow < until)
        {
            log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : string.Empty;
            if (done(log))
            {
                return log;
            }

            if (_master.HasExited)
            {
                break;
            }

            await Task.Delay(200);
        }

        var output = _master.HasExited ? await _master.StandardError.ReadToEndAsync() : string.Empty;
        throw new TimeoutException($"Postfix did not log what was expected within {limit.TotalSeconds} s.\nmaillog:\n{log}\n{output}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(PostfixCommand, "-c", ConfigDirectory, "stop");
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _master.WaitForExitAsync(limit.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Killed below.
        }
        finally
        {
            if (!_master.HasExited)
            {
                _master.Kill(entireProcessTree: true);
            }

            _master.Dispose();
            Directory.Delete(Root, recursive: true);
        }
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(limit.Token);
    }
}
