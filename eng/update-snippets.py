#!/usr/bin/env python3
"""Fills every C# block of README.md and src/*/README.md that follows a `<!-- snippet: a b -->` marker with the
#regions a, b of samples/MtaSts.Snippets (dedented, joined by a blank line). tests/MtaSts.Net.Tests checks the result
(ReadmeSnippetTests); run this after changing a snippet: python3 eng/update-snippets.py"""
import glob, os, re, sys, textwrap

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
regions = {}
for path in glob.glob(os.path.join(root, 'samples', 'MtaSts.Snippets', '*.cs')):
    for m in re.finditer(r'^[ \t]*#region (\S+)[ \t]*\n(.*?)^[ \t]*#endregion', open(path, encoding='utf-8').read(), re.S | re.M):
        regions[m.group(1)] = textwrap.dedent(m.group(2)).rstrip('\n')

marker = re.compile(r'(<!-- snippet: ([^>]*?) -->\n```csharp\n)(.*?)(```)', re.S)
for path in [os.path.join(root, 'README.md')] + sorted(glob.glob(os.path.join(root, 'src', '*', 'README.md'))):
    text = open(path, encoding='utf-8').read()
    def fill(m):
        names = m.group(2).split()
        missing = [n for n in names if n not in regions]
        if missing:
            sys.exit(f'{path}: no region {missing}')
        return m.group(1) + '\n\n'.join(regions[n] for n in names) + '\n' + m.group(4)
    new = marker.sub(fill, text)
    if new != text:
        open(path, 'w', encoding='utf-8').write(new)
        print('updated', os.path.relpath(path, root))
