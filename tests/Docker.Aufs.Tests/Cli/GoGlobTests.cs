using Docker.Aufs.Cli.Commands;

namespace Docker.Aufs.Tests.Cli;

/// <summary>The <c>reference</c> filter's patterns match as Go's <c>path.Match</c> does: Go's own test vectors (path/match_test.go).</summary>
public sealed class GoGlobTests
{
    public static TheoryData<string, string, bool, bool> GoVectors() => new()
    {
        { "abc", "abc", true, false },
        { "*", "abc", true, false },
        { "*c", "abc", true, false },
        { "a*", "a", true, false },
        { "a*", "abc", true, false },
        { "a*", "ab/c", false, false },
        { "a*/b", "abc/b", true, false },
        { "a*/b", "a/c/b", false, false },
        { "a*b*c*d*e*/f", "axbxcxdxe/f", true, false },
        { "a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false },
        { "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false },
        { "a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false },
        { "a*b?c*x", "abxbbxdbxebxczzx", true, false },
        { "a*b?c*x", "abxbbxdbxebxczzy", false, false },
        { "ab[c]", "abc", true, false },
        { "ab[b-d]", "abc", true, false },
        { "ab[e-g]", "abc", false, false },
        { "ab[^c]", "abc", false, false },
        { "ab[^b-d]", "abc", false, false },
        { "ab[^e-g]", "abc", true, false },
        { "a\\*b", "a*b", true, false },
        { "a\\*b", "ab", false, false },
        { "a?b", "a☺b", true, false },
        { "a[^a]b", "a☺b", true, false },
        { "a???b", "a☺b", false, false },
        { "a[^a][^a][^a]b", "a☺b", false, false },
        { "[a-ζ]*", "α", true, false },
        { "*[a-ζ]", "A", false, false },
        { "a?b", "a/b", false, false },
        { "a*b", "a/b", false, false },
        { "[\\]a]", "]", true, false },
        { "[\\-]", "-", true, false },
        { "[x\\-]", "x", true, false },
        { "[x\\-]", "-", true, false },
        { "[x\\-]", "z", false, false },
        { "[\\-x]", "x", true, false },
        { "[\\-x]", "-", true, false },
        { "[\\-x]", "a", false, false },
        { "[]a]", "]", false, true },
        { "[-]", "-", false, true },
        { "[x-]", "x", false, true },
        { "[x-]", "-", false, true },
        { "[x-]", "z", false, true },
        { "[-x]", "x", false, true },
        { "[-x]", "-", false, true },
        { "[-x]", "a", false, true },
        { "\\", "a", false, true },
        { "[a-b-c]", "a", false, true },
        { "[", "a", false, true },
        { "[^", "a", false, true },
        { "[^bc", "a", false, true },
        { "a[", "a", false, true },
        { "a[", "ab", false, true },
        { "a[", "x", false, true },
        { "a/b[", "x", false, true },
        { "*x", "xxx", true, false },
        { "𝄞?", "𝄞x", true, false }, // a character outside the BMP is one character, as a Go rune is
    };

    [Theory]
    [MemberData(nameof(GoVectors))]
    public void Match_IsGoPathMatch(string pattern, string name, bool matches, bool malformed)
    {
        Assert.Equal((matches, !malformed), (GoGlob.Match(pattern, name), GoGlob.IsValid(pattern)));
    }
}
