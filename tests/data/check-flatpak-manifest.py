#!/usr/bin/env python3
# Checks flatpak/chat.confab.Confab.json as far as this machine can without
# downloading the GNOME runtime: it is strict JSON, flatpak-builder reads it
# without a warning, it names the right app, runtime and command, it asks
# for no more than its finish-args allow, it builds libnice with the
# GStreamer plugin webrtcbin needs, and every module source it names exists
# (local paths) or is pinned (remote ones).
#
# Usage: check-flatpak-manifest.py MANIFEST [FLATPAK_BUILDER]
# Prints TAP.  Exits 0 on success, 1 on a failure.

import json
import os
import re
import subprocess
import sys
import tempfile

APP_ID = 'chat.confab.Confab'
MIN_GNOME_RUNTIME = 47

# What Confab may ask for, and why:
#   network       the signalling server and the peer connections;
#   ipc           X11 shared memory, with fallback-x11 only;
#   wayland, fallback-x11   the window;
#   dri           GPU rendering for GTK 4.
# Notifications go through the portal, so no --talk-name is needed.
ALLOWED_FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}
REQUIRED_FINISH_ARGS = {
    '--share=network',
    '--socket=wayland',
    '--socket=fallback-x11',
}
BUILDSYSTEMS = {'autotools', 'cmake', 'cmake-ninja', 'meson', 'simple', 'qmake'}
REMOTE_TYPES = {'archive', 'file', 'git'}
HEX40 = re.compile(r'^[0-9a-f]{40}$')
HEX64 = re.compile(r'^[0-9a-f]{64}$')

results = []


def check(ok, what, detail=''):
    results.append((bool(ok), what, detail))
    return ok


def no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise ValueError(f'duplicate keys: {", ".join(dups)}')
    return dict(pairs)


def meson_options(source_dir):
    """The option names meson_options.txt (or meson.options) declares."""
    for name in ('meson.options', 'meson_options.txt'):
        path = os.path.join(source_dir, name)
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                return set(re.findall(r"option\(\s*'([^']+)'", f.read()))
    return set()


def check_source(module, index, source, base_dir):
    name = module.get('name', '?')
    label = f'module {name}: source {index}'
    if isinstance(source, str):
        path = os.path.join(base_dir, source)
        check(os.path.isfile(path), f'{label}: included file {source} exists', path)
        return
    kind = source.get('type')
    check(kind is not None, f'{label}: has a type')
    if 'path' in source and 'url' not in source:
        path = os.path.normpath(os.path.join(base_dir, source['path']))
        exists = os.path.isdir(path) if kind in ('dir', 'git') else os.path.isfile(path)
        check(exists, f'{label}: local {kind} {source["path"]} exists', path)
        if kind == 'git':
            check(os.path.exists(os.path.join(path, '.git')),
                  f'{label}: {source["path"]} is a git checkout', path)
        if kind == 'dir' and exists and module.get('buildsystem') == 'meson':
            build_file = os.path.join(path, 'meson.build')
            check(os.path.isfile(build_file), f'{label}: {source["path"]} holds a meson project', build_file)
            declared = meson_options(path)
            for opt in module.get('config-opts', []):
                m = re.match(r'^-D([^=:]+)=', opt)
                if m and ':' not in m.group(1) and m.group(1) not in (
                        'buildtype', 'prefix', 'libdir', 'b_lto', 'b_ndebug', 'optimization', 'debug'):
                    check(m.group(1) in declared,
                          f'{label}: config-opt {opt} is declared in meson_options.txt')
        return
    if kind in REMOTE_TYPES:
        url = source.get('url', '')
        check(url.startswith('https://'), f'{label}: {kind} URL is https', url)
        if kind == 'git':
            check(HEX40.match(source.get('commit', '')),
                  f'{label}: git source is pinned to a commit', url)
        else:
            check(HEX64.match(source.get('sha256', '')),
                  f'{label}: {kind} source has a sha256', url)
        return
    check(kind in ('patch', 'shell', 'script', 'inline'), f'{label}: known source type {kind}')


def check_module(module, base_dir):
    if isinstance(module, str):
        path = os.path.join(base_dir, module)
        if check(os.path.isfile(path), f'included module {module} exists', path):
            with open(path, encoding='utf-8') as f:
                check_module(json.load(f, object_pairs_hook=no_duplicate_keys), os.path.dirname(path))
        return
    name = module.get('name')
    check(name, 'module has a name')
    check(module.get('buildsystem', 'autotools') in BUILDSYSTEMS,
          f'module {name}: buildsystem {module.get("buildsystem")} is one flatpak-builder knows')
    sources = module.get('sources', [])
    check(sources, f'module {name}: has sources')
    for i, source in enumerate(sources):
        check_source(module, i, source, base_dir)
    for sub in module.get('modules', []):
        check_module(sub, base_dir)


def main():
    if len(sys.argv) not in (2, 3):
        print('usage: check-flatpak-manifest.py MANIFEST [FLATPAK_BUILDER]', file=sys.stderr)
        return 2
    manifest_path = os.path.abspath(sys.argv[1])
    flatpak_builder = sys.argv[2] if len(sys.argv) == 3 else None
    base_dir = os.path.dirname(manifest_path)

    try:
        with open(manifest_path, encoding='utf-8') as f:
            manifest = json.load(f, object_pairs_hook=no_duplicate_keys)
        check(True, 'the manifest is strict JSON')
    except (OSError, ValueError) as e:
        check(False, 'the manifest is strict JSON', str(e))
        manifest = None

    if manifest is not None:
        check(manifest.get('id') == APP_ID, f'id is {APP_ID}', manifest.get('id'))
        check(manifest.get('runtime') == 'org.gnome.Platform', 'runtime is org.gnome.Platform')
        check(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk is org.gnome.Sdk')
        version = str(manifest.get('runtime-version', ''))
        check(version.isdigit() and int(version) >= MIN_GNOME_RUNTIME,
              f'runtime-version is GNOME {MIN_GNOME_RUNTIME} or newer', version)
        check(manifest.get('command') == 'confab', 'command is confab')
        args = set(manifest.get('finish-args', []))
        check(args <= ALLOWED_FINISH_ARGS, 'finish-args ask for nothing beyond the allowed set',
              ' '.join(sorted(args - ALLOWED_FINISH_ARGS)))
        check(REQUIRED_FINISH_ARGS <= args, 'finish-args give network and Wayland with X11 fallback',
              ' '.join(sorted(REQUIRED_FINISH_ARGS - args)))
        modules = manifest.get('modules', [])
        check(modules, 'the manifest has modules')
        for module in modules:
            check_module(module, base_dir)
        # webrtcbin needs libnice's GStreamer plugin (nicesrc, nicesink)
        # as well as the library: the module must build both.
        nice = [m for m in modules if isinstance(m, dict) and m.get('name') == 'libnice']
        check(nice and '-Dgstreamer=enabled' in nice[0].get('config-opts', []),
              'a libnice module builds the library with its GStreamer plugin')
        last = modules[-1] if modules else {}
        check(isinstance(last, dict) and last.get('name') == 'confab'
              and last.get('buildsystem') == 'meson',
              'the last module is confab, built with meson')

    if flatpak_builder:
        # flatpak-builder makes its state directory in the working
        # directory: keep it out of the source tree.
        with tempfile.TemporaryDirectory(prefix='confab-flatpak-') as scratch:
            proc = subprocess.run([flatpak_builder, '--show-manifest', manifest_path],
                                  capture_output=True, text=True, cwd=scratch)
        check(proc.returncode == 0, 'flatpak-builder --show-manifest accepts it', proc.stderr.strip())
        check('WARNING' not in proc.stderr and 'Unknown property' not in proc.stderr,
              'flatpak-builder reads it without a warning', proc.stderr.strip())
        try:
            shown = json.loads(proc.stdout)
            check(shown.get('id') == APP_ID, 'flatpak-builder sees the same app id')
        except ValueError as e:
            check(False, 'flatpak-builder prints the manifest back as JSON', str(e))
    else:
        print('# flatpak-builder not found: not asking it to read the manifest')

    print(f'1..{len(results)}')
    failed = 0
    for n, (ok, what, detail) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {n} - {what}')
        if not ok:
            failed += 1
            if detail:
                for line in str(detail).splitlines():
                    print(f'#   {line}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
