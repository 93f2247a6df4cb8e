using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// The daemon's settings, read by hand from the <c>Postfix</c> configuration section (no reflection binder: the tool
/// compiles ahead of time). A value that cannot be read is a problem named with its key, never a silent default.
/// The library's own options come from the <c>MtaSts</c> section.
/// </summary>
internal sealed class PostfixDaemonSettings
{
    public const string Section = "Postfix";
    public const string DefaultZone = "postfix";

    public List<ListenAddress> Listen { get; } = [];

    /// <summary>
    /// The permissions of a Unix socket file: owner and group may connect, others may not (0660). Postfix's <c>smtp</c>
    /// process (user <c>postfix</c>) must be in the socket's group, the daemon's group.
    /// </summary>
    public UnixFileMode UnixSocketMode { get; set; } = DefaultUnixSocketMode;

    public const UnixFileMode DefaultUnixSocketMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    public int MaxConnections { get; set; } = 512;

    public int MaxRequestBytes { get; set; } = 1024;

    /// <summary>
    /// How long a connection may take to complete its next request (after connecting or after the last reply).
    /// Postfix's socketmap client closes its own connection after 10 s idle and 100 s in all, and retries a lookup once
    /// on a connection the server closed (dict_sockmap.c), so 30 s never costs Postfix a lookup.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int MaxCachedReplies { get; set; } = 100_000;

    public List<PostfixZone> Zones { get; } = [];

    /// <summary>A StackExchange.Redis configuration string: policies are kept there, shared by every daemon of a fleet.</summary>
    public string? Redis { get; set; }

    public string RedisInstanceName { get; set; } = "mta-sts:";

    /// <summary>Whether cached policies are refreshed before they expire (CACHE-6).</summary>
    public bool Refresh { get; set; } = true;

    /// <summary>Extra trusted roots (PEM) for policy hosts, for a private PKI.</summary>
    public string? CaFile { get; set; }

    public static PostfixDaemonSettings Read(IConfiguration configuration, List<string> problems)
    {
        var section = configuration.GetSection(Section);
        var settings = new PostfixDaemonSettings();
        var listen = section.GetSection("Listen").GetChildren().Select(c => c.Value).OfType<string>().ToList();
        if (listen.Count == 0 && section["Listen"] is { } single)
        {
            listen.AddRange(single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        foreach (var text in listen.Count == 0 ? ["inet:127.0.0.1:8461"] : listen)
        {
            if (ListenAddress.TryParse(text, out var address))
            {
                settings.Listen.Add(address!);
            }
            else
            {
                problems.Add($"Postfix:Listen '{text}' is not inet:<ip>:<port> or unix:<path> (under 100 characters).");
            }
        }

        if (section["UnixSocketMode"] is { } mode)
        {
            try
            {
                var bits = Convert.ToInt32(mode, 8);
                if (bits is < 0 or > 0x1FF)
                {
                    throw new OverflowException();
                }

                settings.UnixSocketMode = (UnixFileMode)bits;
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
            {
                problems.Add($"Postfix:UnixSocketMode '{mode}' is not an octal mode from 0000 to 0777 such as 0660.");
            }
        }

        settings.MaxConnections = Int(section, "MaxConnections", settings.MaxConnections, 1, 100_000, problems);
        settings.MaxRequestBytes = Int(section, "MaxRequestBytes", settings.MaxRequestBytes, 64, 65_536, problems);
        settings.MaxCachedReplies = Int(section, "MaxCachedReplies", settings.MaxCachedReplies, 1, 10_000_000, problems);
        settings.IdleTimeout = Time(section, "IdleTimeout", settings.IdleTimeout, problems);
        settings.ShutdownTimeout = Time(section, "ShutdownTimeout", settings.ShutdownTimeout, problems);
        settings.Refresh = Bool(section, "Refresh", settings.Refresh, problems);
        settings.Redis = section["Redis"] is { Length: > 0 } redis ? redis : null;
        settings.RedisInstanceName = section["RedisInstanceName"] ?? settings.RedisInstanceName;
        settings.CaFile = section["CaFile"] is { Length: > 0 } ca ? ca : null;

        // Zones: Postfix:Zones:<name>:<setting>; Postfix:DefaultZone:<setting> applies to every zone (as
        // postfix-mta-sts-resolver's default_zone), and the zone "postfix" exists unless zones are listed.
        var defaults = ReadZone(section.GetSection("DefaultZone"), new PostfixZone { Name = DefaultZone }, problems);
        foreach (var child in section.GetSection("Zones").GetChildren())
        {
            if (child.Key.Contains(' ', StringComparison.Ordinal) || child.Key.Length > 100)
            {
                problems.Add($"Postfix:Zones:{child.Key}: a map name has no spaces and at most 100 characters.");
                continue;
            }

            settings.Zones.Add(ReadZone(child, defaults with { Name = child.Key }, problems));
        }

        if (settings.Zones.Count == 0)
        {
            settings.Zones.Add(defaults);
        }

        return settings;
    }

    private static PostfixZone ReadZone(IConfigurationSection section, PostfixZone zone, List<string> problems)
    {
        var timeout = Time(section, "Timeout", zone.Timeout, problems);
        if (timeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{section.Path}:Timeout must be at most 10 minutes.");
        }

        return zone with
        {
            StrictTesting = Bool(section, "StrictTesting", zone.StrictTesting, problems),
            Timeout = timeout,
            RequireSni = Bool(section, "RequireSni", zone.RequireSni, problems),
            TlsRpt = Bool(section, "TlsRpt", zone.TlsRpt, problems),
        };
    }

    private static int Int(IConfigurationSection section, string key, int value, int min, int max, List<string> problems)
    {
        if (section[key] is not { } text)
        {
            return value;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            return parsed;
        }

        problems.Add($"{section.Path}:{key} '{text}' is not a whole number from {min} to {max}.");
        return value;
    }

    private static TimeSpan Time(IConfigurationSection section, string key, TimeSpan value, List<string> problems)
    {
        if (section[key] is not { } text)
        {
            return value;
        }

        // "00:00:04" or a number of seconds ("4", "0.5"), as postfix-mta-sts-resolver writes timeouts.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 86_400)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero && parsed <= TimeSpan.FromDays(1))
        {
            return parsed;
        }

        problems.Add($"{section.Path}:{key} '{text}' is not a positive time span up to a day (00:00:04, or seconds: 4).");
        return value;
    }

    private static bool Bool(IConfigurationSection section, string key, bool value, List<string> problems)
    {
        if (section[key] is not { } text)
        {
            return value;
        }

        if (bool.TryParse(text, out var parsed))
        {
            return parsed;
        }

        problems.Add($"{section.Path}:{key} '{text}' is not true or false.");
        return value;
    }
}
