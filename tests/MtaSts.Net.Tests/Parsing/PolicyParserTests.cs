namespace MtaSts.Tests.Parsing;

public class PolicyParserTests
{
    private const string Base = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n";

    public static TheoryData<string, MtaStsMode, string[], long, string> Valid => new()
    {
        { Base, MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-1 base policy" },
        { Base.Replace("\n", "\r\n"), MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-7 CRLF" },
        { "version: STSv1\r\nmode: enforce\nmx: mail.example.com\r\nmax_age: 604800\n", MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-7 mixed CRLF and LF" },
        { Base.TrimEnd('\n'), MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-8 no final terminator" },
        { "max_age: 604800\nmx: mail.example.com\nmode: enforce\nversion: STSv1\n", MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-10 any order" },
        { "version: STSv1\nmode: none\nmax_age: 86400\n", MtaStsMode.None, [], 86400, "POL-1 none needs no mx" },
        { "version: STSv1\nmode: testing\nmx: *.mail.example.com\nmax_age: 86400\n", MtaStsMode.Testing, ["*.mail.example.com"], 86400, "POL-13 wildcard mx" },
        { "version: STSv1\nmode:enforce\nmx: a.example.com\nmax_age: 1\n", MtaStsMode.Enforce, ["a.example.com"], 1, "POL-5 no space after ':'" },
        { "version: STSv1\nmode:\tenforce\nmx: a.example.com\nmax_age: 1\n", MtaStsMode.Enforce, ["a.example.com"], 1, "POL-5 tab after ':'" },
        { "version: STSv1\nmode: enforce   \nmx: a.example.com\t\nmax_age: 1  \n", MtaStsMode.Enforce, ["a.example.com"], 1, "POL-6 trailing whitespace" },
        { "version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 31557600\n", MtaStsMode.Enforce, ["a.example.com"], 31557600, "POL-11 the maximum" },
        { "version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 0000604800\n", MtaStsMode.Enforce, ["a.example.com"], 604800, "POL-11 leading zeros, 10 digits" },
        { "version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 0\n", MtaStsMode.Enforce, ["a.example.com"], 0, "POL-12 zero is valid" },
        { "version: STSv1\nmode: enforce\nmx: a.example.com\nmx: b.example.com\nmax_age: 1\n", MtaStsMode.Enforce, ["a.example.com", "b.example.com"], 1, "POL-14 several mx in file order" },
        { "version: STSv1\nmode: enforce\nmx: a.example.com\nmx: a.example.com\nmax_age: 1\n", MtaStsMode.Enforce, ["a.example.com", "a.example.com"], 1, "POL-14 duplicate mx is harmless" },
        { "version: STSv1\nmode: enforce\nmx: xn--bcher-kva.example\nmax_age: 1\n", MtaStsMode.Enforce, ["xn--bcher-kva.example"], 1, "POL-15 A-label mx" },
        { Base + "foo: bar\n", MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-16 unknown field ignored" },
        { Base + "comment: café ☕\n", MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-16 UTF-8 extension value" },
        { Base + "x.y-z_1: a b c\n", MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-16 extension with inner spaces" },
        { "version: STSv1\nmode: testing\nmode: enforce\nmx: a.example.com\nmax_age: 1\n", MtaStsMode.Testing, ["a.example.com"], 1, "POL-17 first mode wins" },
        { "version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 86400\nmax_age: 604800\n", MtaStsMode.Enforce, ["a.example.com"], 86400, "POL-17 first max_age wins" },
        { "version: STSv1\nversion: STSv2\nmode: enforce\nmx: a.example.com\nmax_age: 1\n", MtaStsMode.Enforce, ["a.example.com"], 1, "POL-17 later version ignored" },
        { Base + "Max_Age: 5\n", MtaStsMode.Enforce, ["mail.example.com"], 604800, "POL-4 capitalised name is an extension" },
        { "version: STSv1\nmode: enforce\nmx: a-b.example.com\nmx: 1.example.com\nmax_age: 1\n", MtaStsMode.Enforce, ["a-b.example.com", "1.example.com"], 1, "POL-13 inner hyphen and digit labels" },
        { "version: STSv1\nmode: enforce\nmx: MAIL.Example.COM\nmax_age: 1\n", MtaStsMode.Enforce, ["MAIL.Example.COM"], 1, "POL-13 mx case is kept; matching ignores it" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_Valid_ReturnsFields(string text, MtaStsMode mode, string[] mx, long maxAge, string reason)
    {
        MtaStsPolicy.TryParse(text, out var policy, out var error).Should().BeTrue($"{reason}: {error}");
        policy!.Mode.Should().Be(mode, reason);
        policy.Mx.Should().Equal(mx, reason);
        policy.MaxAge.Should().Be(TimeSpan.FromSeconds(maxAge), reason);
        policy.Version.Should().Be("STSv1");
        policy.Text.Should().Be(text, "the raw text is kept for TLS-RPT policy-string");
        policy.Leniencies.Should().BeEmpty();
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "mode: enforce\nmx: a.example.com\nmax_age: 1\n", "POL-1 missing version" },
        { "version: STSv1\nmx: a.example.com\nmax_age: 1\n", "POL-1 missing mode" },
        { "version: STSv1\nmode: enforce\nmx: a.example.com\n", "POL-1 missing max_age" },
        { "version: STSv1\nmode: enforce\nmax_age: 1\n", "POL-1 enforce without mx" },
        { "version: STSv1\nmode: testing\nmax_age: 1\n", "POL-1 testing without mx" },
        { Base.Replace("STSv1", "stsv1"), "POL-2 version is case-sensitive" },
        { Base.Replace("STSv1", "STSv2"), "POL-2 unknown version" },
        { Base.Replace("enforce", "Enforce"), "POL-3 mode Enforce" },
        { Base.Replace("enforce", "ENFORCE"), "POL-3 mode ENFORCE" },
        { Base.Replace("enforce", "report"), "POL-3 draft-era mode" },
        { Base.Replace("mode:", "Mode:"), "POL-4 Mode is an extension, so mode is missing" },
        { Base.Replace("mode:", "mode :"), "POL-5 space before ':'" },
        { Base.Replace("mode:", " mode:"), "POL-5 leading space" },
        { "version: STSv1\rmode: enforce\rmx: a.example.com\rmax_age: 1\r", "POL-7 bare CR is no terminator" },
        { "version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 1\r", "POL-7 a final bare CR is no terminator" },
        { "version: STSv1\n\nmode: enforce\nmx: a.example.com\nmax_age: 1\n", "POL-9 blank line" },
        { Base + "\n", "POL-9 ends with two LF" },
        { Base.Replace("\n", "\r\n") + "\r\n", "POL-9 ends with two CRLF" },
        { "# comment\n" + Base, "POL-9 comment line" },
        { "\uFEFF" + Base, "POL-9 byte-order mark" },
        { Base.Replace("604800", "-1"), "POL-11 negative" },
        { Base.Replace("604800", "+604800"), "POL-11 plus sign" },
        { Base.Replace("604800", "86400.5"), "POL-11 fraction" },
        { Base.Replace("604800", "1e6"), "POL-11 exponent" },
        { Base.Replace("604800", "604 800"), "POL-11 inner space" },
        { Base.Replace("604800", "12345678901"), "POL-11 eleven digits" },
        { Base.Replace("604800", "31557601"), "POL-11 above the maximum (strict)" },
        { Base.Replace("604800", ""), "POL-11 empty max_age" },
        { Base.Replace("mail.example.com", "mail.example.com."), "POL-13 trailing dot" },
        { Base.Replace("mail.example.com", "*example.com"), "POL-13 partial wildcard" },
        { Base.Replace("mail.example.com", "mail.*.example.com"), "POL-13 inner wildcard" },
        { Base.Replace("mail.example.com", "*"), "POL-13 lone wildcard" },
        { Base.Replace("mail.example.com", "*.*.example.com"), "POL-13 double wildcard" },
        { Base.Replace("mail.example.com", "mail_1.example.com"), "POL-13 underscore" },
        { Base.Replace("mail.example.com", "[192.0.2.1]"), "POL-13 address literal" },
        { Base.Replace("mail.example.com", "-mail.example.com"), "POL-13 leading hyphen" },
        { Base.Replace("mail.example.com", "mail-.example.com"), "POL-13 trailing hyphen" },
        { Base.Replace("mail.example.com", ""), "POL-13 empty mx" },
        { Base.Replace("mail.example.com", "mail.example.com # primary"), "POL-13 trailing comment" },
        { Base.Replace("mail.example.com", "a.example.com, b.example.com"), "POL-14 several hosts on one line" },
        { Base.Replace("mail.example.com", "bücher.example"), "POL-15 U-label mx" },
        { Base.Replace("mail.example.com", "mail..example.com"), "POL-13 empty label" },
        { Base.Replace("mail.example.com", new string('a', 64) + ".example.com"), "POL-13 label longer than 63" },
        { Base + "foo:\n", "POL-16 empty extension value" },
        { Base + new string('a', 33) + ": x\n", "POL-16 33-character extension name" },
        { Base + "_foo: x\n", "POL-16 extension name must start alphanumeric" },
        { Base.Replace("enforce", "enforce\0"), "POL-19 NUL in a value" },
        { Base + "foo: a\u0001b\n", "POL-19 CTL in an extension value" },
        { Base + "foo: a\tb\n", "POL-16 tab inside an extension value" },
        { "", "POL-1 empty body" },
        { "<html><body>Not found</body></html>", "POL-1 an HTML page" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void TryParse_Invalid_ReturnsError(string text, string reason)
    {
        MtaStsPolicy.TryParse(text, out var policy, out var error).Should().BeFalse(reason);
        policy.Should().BeNull();
        error.Should().NotBeNullOrWhiteSpace(reason);
    }

    public static TheoryData<string, string[], long, string> LenientOnly => new()
    {
        { "version: STSv1\n\nmode: enforce\nmx: a.example.com\nmax_age: 1\n", ["a.example.com"], 1, "POL-9 blank line" },
        { Base + "\n\n", ["mail.example.com"], 604800, "POL-9 trailing empty lines" },
        { "# comment\n" + Base, ["mail.example.com"], 604800, "POL-9 comment" },
        { "\uFEFF" + Base, ["mail.example.com"], 604800, "POL-9 byte-order mark" },
        { Base.Replace("mode:", "mode :"), ["mail.example.com"], 604800, "POL-5 space before ':'" },
        { Base.Replace("mode:", "  mode:"), ["mail.example.com"], 604800, "POL-5 leading space" },
        { Base.Replace("mail.example.com", "mail.example.com."), ["mail.example.com"], 604800, "POL-13 trailing dot stripped" },
        { Base.Replace("604800", "31557601"), ["mail.example.com"], 31557600, "POL-11 clamped to the maximum" },
        { Base + "foo:\n", ["mail.example.com"], 604800, "POL-16 empty extension value" },
    };

    [Theory]
    [MemberData(nameof(LenientOnly))]
    public void TryParse_LenientDeviation_AcceptedAndListed(string text, string[] mx, long maxAge, string reason)
    {
        MtaStsPolicy.TryParse(text, MtaStsParsingMode.Strict, out _, out _).Should().BeFalse("strict rejects: " + reason);
        MtaStsPolicy.TryParse(text, MtaStsParsingMode.Lenient, out var policy, out var error).Should().BeTrue($"{reason}: {error}");
        policy!.Mx.Should().Equal(mx);
        policy.MaxAge.TotalSeconds.Should().Be(maxAge);
        policy.Leniencies.Should().NotBeEmpty("each leniency is listed so the enforcer can log it");
    }

    // POL-9, POL-13, POL-16: the default mode (Tolerant) accepts the deviations whose meaning is plain, so that a
    // publisher's blank line or trailing dot does not silently turn enforce into opportunistic TLS.
    public static TheoryData<string, string[], string> TolerantAccepts => new()
    {
        { "version: STSv1\n\nmode: enforce\nmx: a.example.com\nmax_age: 1\n", ["a.example.com"], "POL-9 blank line between fields" },
        { Base + "\n\n", ["mail.example.com"], "POL-9 trailing empty lines" },
        { Base.Replace("\n", "\r\n") + "\r\n", ["mail.example.com"], "POL-9 trailing CRLF CRLF" },
        { "\uFEFF" + Base, ["mail.example.com"], "POL-9 byte-order mark" },
        { Base.Replace("mail.example.com", "mail.example.com."), ["mail.example.com"], "POL-13 trailing dot on mx" },
        { Base.Replace("mail.example.com", "*.example.com."), ["*.example.com"], "POL-13 trailing dot on a wildcard mx" },
        { Base + "foo:\n", ["mail.example.com"], "POL-16 empty extension value" },
    };

    [Theory]
    [MemberData(nameof(TolerantAccepts))]
    public void TryParse_Tolerant_AcceptsPlainDeviations(string text, string[] mx, string reason)
    {
        MtaStsPolicy.TryParse(text, MtaStsParsingMode.Strict, out _, out _).Should().BeFalse("strict rejects: " + reason);
        MtaStsPolicy.TryParse(text, MtaStsParsingMode.Tolerant, out var policy, out var error).Should().BeTrue($"{reason}: {error}");
        policy!.Mode.Should().Be(MtaStsMode.Enforce);
        policy.Mx.Should().Equal(mx);
        policy.Leniencies.Should().NotBeEmpty("each deviation is listed so the enforcer logs it: " + reason);
    }

    [Theory]
    [InlineData("# comment\nversion: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 1\n", "POL-9 a comment is not RFC syntax")]
    [InlineData("version: STSv1\nmode :enforce\nmx: a.example.com\nmax_age: 1\n", "POL-5 'mode ' is an unknown field to some peers")]
    [InlineData("version: STSv1\n mode: enforce\nmx: a.example.com\nmax_age: 1\n", "POL-5 leading whitespace")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 31557601\n", "POL-11 above the maximum: clamp or reject is ambiguous")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example.com..\nmax_age: 1\n", "POL-13 two trailing dots")]
    [InlineData("version: STSv1\nmode: Enforce\nmx: a.example.com\nmax_age: 1\n", "POL-3 mode case")]
    [InlineData("version: STSv1\rmode: enforce\rmx: a.example.com\rmax_age: 1\r", "POL-7 bare CR")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 1\r", "POL-7 a final bare CR is no terminator")]
    public void TryParse_Tolerant_RejectsAmbiguous(string text, string reason) =>
        MtaStsPolicy.TryParse(text, MtaStsParsingMode.Tolerant, out _, out _).Should().BeFalse(reason);

    [Theory]
    [InlineData("version: STSv1\nmode: Enforce\nmx: a.example.com\nmax_age: 1\n", "POL-3 mode case stays strict")]
    [InlineData("version: STSv1\nmode: enforce\nmx: *example.com\nmax_age: 1\n", "POL-13 partial wildcard stays invalid")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 1\n", "POL-1 enforce without mx stays invalid")]
    public void TryParse_LenientStillRejects(string text, string reason) =>
        MtaStsPolicy.TryParse(text, MtaStsParsingMode.Lenient, out _, out _).Should().BeFalse(reason);

    [Fact]
    public void TryParse_LargestAllowedBody_Parses()
    {
        // FETCH-10: a 64 KiB policy made of extension lines still parses.
        var text = Base + string.Concat(Enumerable.Repeat("padding: " + new string('x', 90) + "\n", 650));
        text.Length.Should().BeGreaterThan(60_000);
        MtaStsPolicy.TryParse(text, out var policy, out _).Should().BeTrue();
        policy!.Mx.Should().ContainSingle();
    }

    [Fact]
    public void TryParse_NonAsciiBeforeMx_MatchesAndKeepsText()
    {
        // Byte ranges of the UTF-8 text must stay right after multi-byte characters.
        var text = "version: STSv1\ncomment: café ☕ 𝄞\nmode: enforce\nmx: *.example.com\nmx: mail.example.org\nmax_age: 86400\n";
        MtaStsPolicy.TryParse(text, out var policy, out _).Should().BeTrue();
        policy!.Mx.Should().Equal("*.example.com", "mail.example.org");
        policy.Matches("mx.example.com").Should().BeTrue();
        policy.Matches("MAIL.example.org").Should().BeTrue();
        policy.Matches("mail.example.net").Should().BeFalse();
        policy.Text.Should().Be(text);
    }

    [Fact]
    public void TryParse_UnpairedSurrogate_Invalid()
    {
        MtaStsPolicy.TryParse(Base + "comment: \uD800x\n", out var policy, out var error).Should().BeFalse();
        policy.Should().BeNull();
        error.Should().Contain("surrogate");
    }
}
