#!/usr/bin/env python3
"""Regenerates the log-event table of docs/operations.md (between the log-events markers) from the [LoggerMessage]
attributes in src/, keeping the hand-written "When" text of each id. DocsConsistencyTests checks the table against the
code; run this after adding or changing a log event: python3 eng/update-operations-tables.py"""
import glob, os, re

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
events = []
for path in sorted(glob.glob(os.path.join(root, 'src', '**', '*.cs'), recursive=True)):
    if os.sep + 'obj' + os.sep in path:
        continue
    for m in re.finditer(r'\[LoggerMessage\((.*?)\)\]\s*\n', open(path, encoding='utf-8').read(), re.S):
        args = m.group(1)
        first = re.match(r'\s*(\d+)\s*,\s*LogLevel\.(\w+)', args)
        event_id = int(first.group(1)) if first else int(re.search(r'EventId\s*=\s*(\d+)', args).group(1))
        level = first.group(2) if first else 'varies'
        name = re.search(r'EventName\s*=\s*"(\w+)"', args).group(1)
        message = re.search(r'"((?:[^"\\]|\\.)*)"', args).group(1)
        events.append((event_id, name, level, os.path.basename(path), message))

doc_path = os.path.join(root, 'docs', 'operations.md')
doc = open(doc_path, encoding='utf-8').read()
start, end = '<!-- log-events:start -->', '<!-- log-events:end -->'
before, rest = doc.split(start)
table, after = rest.split(end)
when = {}
for row in table.splitlines():
    cells = [c.strip() for c in row.strip().strip('|').split('|')]
    if len(cells) == 5 and cells[0].isdigit():
        when[int(cells[0])] = cells[4]
rows = ['| Id | Name | Level | Logged by | When |', '|---|---|---|---|---|']
for event_id, name, level, file, message in sorted(events):
    text = when.get(event_id) or message.replace('|', '\\|')
    rows.append(f'| {event_id} | {name} | {level} | `{file}` | {text} |')
open(doc_path, 'w', encoding='utf-8').write(before + start + '\n' + '\n'.join(rows) + '\n' + end + after)
print(f'{len(events)} log events')
