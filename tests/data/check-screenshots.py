#!/usr/bin/env python3
# Checks that every screenshot the AppStream metainfo names is one of the
# PNGs in data/screenshots (taken by the UI tests from a real run), and
# that each is a PNG of a size software centres show well.
#
# Usage: check-screenshots.py METAINFO SCREENSHOT_DIR
# Prints TAP.

import os
import struct
import sys
import xml.etree.ElementTree as ET


def main():
    metainfo, directory = sys.argv[1:3]
    images = [e.text.strip() for e in ET.parse(metainfo).getroot().iter('image')]
    results = [(bool(images), 'the metainfo names screenshots', '')]
    for url in images:
        path = os.path.join(directory, os.path.basename(url))
        ok = os.path.isfile(path)
        results.append((ok, f'{os.path.basename(url)} is in data/screenshots', path))
        if not ok:
            continue
        with open(path, 'rb') as f:
            header = f.read(24)
        is_png = header[:8] == b'\x89PNG\r\n\x1a\n'
        results.append((is_png, f'{os.path.basename(url)} is a PNG', ''))
        if is_png:
            width, height = struct.unpack('>II', header[16:24])
            # AppStream asks for at least 620 pixels across.
            results.append((width >= 620 and height >= 350,
                            f'{os.path.basename(url)} is at least 620x350', f'{width}x{height}'))
    print(f'1..{len(results)}')
    for n, (ok, what, detail) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {n} - {what}')
        if not ok and detail:
            print(f'#   {detail}')
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
