using MtaSts.MailKit.Internal;

namespace MtaSts.MailKit.Tests;

public class MxOrderingTests
{
    [Fact]
    public void Order_ByPreference()
    {
        MxOrdering.Order([(20, "b"), (10, "a"), (30, "c")], new Random(1)).Should().Equal("a", "b", "c");
    }

    [Fact]
    public void Order_EqualPreferencesShuffled_BothOrdersSeen()
    {
        var seen = new HashSet<string>();
        for (var seed = 0; seed < 64; seed++)
        {
            var order = MxOrdering.Order([(10, "a"), (10, "b"), (5, "first")], new Random(seed));
            order[0].Should().Be("first", "the lower preference always comes first");
            seen.Add(string.Join(",", order));
        }

        seen.Should().BeEquivalentTo(["first,a,b", "first,b,a"], "RFC 5321 §5.1 equal preferences are randomised");
    }

    [Fact]
    public void Order_DuplicateHostsTriedOnce() =>
        MxOrdering.Order([(10, "a"), (20, "A")], new Random(1)).Should().Equal("a");
}
