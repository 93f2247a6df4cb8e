namespace MtaSts.Tool.Cli;

/// <summary>The <c>--help</c> text: commands, options and exit codes.</summary>
internal static class Usage
{
    public const string Short = "usage: mta-sts <check|audit|generate|postfix-daemon> ... (mta-sts --help for more)";

    public const string Text = """
        mta-sts: MTA-STS (RFC 8461) from the command line.

        usage:
          mta-sts check <domain> [--mx <host>]... [--dane]
                                                         the sender's view: the policy and the verdict for each MX;
                                                         --dane: also each MX's DANE state (TLSA, DNSSEC via the
                                                         resolver's AD bit: use a validating resolver) and the verdict
                                                         with DANE first (RFC 8461 §2, RFC 7672)
          mta-sts audit <domain>                         the owner's view: every problem, with a severity and a code
          mta-sts generate --mx <pattern>... --mode <testing|enforce|none> [--max-age <s>] [--domain <domain>]
                                                         a policy body (CRLF lines) and its TXT record
          mta-sts postfix-daemon [--config <file.json>]  the Postfix socketmap policy daemon (smtp_tls_policy_maps);
                                                         mta-sts postfix-daemon --help for its settings
        options (every command):
          --json                   print one JSON document on stdout
          --name-server <ip[:port]>  DNS server to ask (repeatable; default: the machine's, then /etc/resolv.conf)
          --ca-file <pem>          extra trusted root certificates (private PKI); the machine store is used too,
                                   and SSL_CERT_FILE / SSL_CERT_DIR are honoured
          --timeout <seconds>      limit of each network step (default 10)
          -h, --help               this text
        advanced (tests, firewalled networks):
          --smtp-port <n>          audit: probe MX hosts on this port instead of 25
          --https-port <n>         check, audit: reach the policy host on this port instead of 443
          With --name-server or --https-port, host names (mta-sts.<domain>, MX hosts) are resolved through the
          given DNS servers, not the operating system's resolver.

        exit codes:
          0  check: discovery finished (with or without a policy); audit: no errors; generate: printed
          1  check: discovery failed, a sender would fail closed and defer, or (--dane) DANE makes an MX unusable
             (bogus or unanswered TLSA); audit: at least one error
          2  bad usage (unknown option, missing argument, malformed domain or input)
          130 interrupted

        audit codes: txt-missing txt-multiple txt-invalid txt-lookup-failed policy-host-unresolvable
          policy-host-certificate-invalid policy-fetch-failed policy-invalid policy-mode-none policy-mode-testing
          max-age-short mx-lookup-failed mx-null mx-not-covered mx-pattern-unused mx-unreachable mx-starttls-missing
          mx-starttls-failed mx-certificate-untrusted mx-certificate-expired mx-certificate-expiring
          mx-certificate-name-mismatch tlsrpt-missing tlsrpt-invalid
        """;

    public const string PostfixDaemon = """
        mta-sts postfix-daemon: answers Postfix's smtp_tls_policy_maps lookups over the socketmap protocol.

        usage: mta-sts postfix-daemon [--config <file.json>] [--<Section>:<Key>=<value>]...

        main.cf:  smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix

        settings (appsettings.json in the working directory, --config file, environment Postfix__Key, command line):
          Postfix:Listen:0..n        inet:<ip>:<port> or unix:<path> (default inet:127.0.0.1:8461)
          Postfix:UnixSocketMode     octal mode of a Unix socket (default 0660: Postfix must be in the group)
          Postfix:MaxConnections     connections served at once; more get TEMP and are closed (default 512)
          Postfix:MaxRequestBytes    longest request; a longer one closes its connection (default 1024)
          Postfix:IdleTimeout        time to complete each request; then the connection closes (default 00:00:30)
          Postfix:ShutdownTimeout    on SIGTERM, how long answers in progress may take (default 00:00:10)
          Postfix:Redis              StackExchange.Redis configuration: policies shared by every daemon of a fleet
          Postfix:Refresh            refresh cached policies before they expire (default true)
          Postfix:CaFile             extra trusted roots (PEM) for policy hosts
          Postfix:DefaultZone:<k>    defaults of every map name (zone)
          Postfix:Zones:<name>:<k>   one map name; k = StrictTesting (false), Timeout (4 s), RequireSni (true),
                                     TlsRpt (false: Postfix 3.10 TLSRPT attributes)
          MtaSts:<option>            the library's options: DnsTimeout, FetchTimeout, NameServers:0.., DnsFailureBehavior ...
        answers: enforce → OK secure match=<mx patterns> servername=hostname; testing, none, no policy, a next hop
        that is not a domain → NOTFOUND; DNS failure with nothing cached → TEMP; unknown map name → PERM.
        """;
}
