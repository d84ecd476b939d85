"""What a screen reader gets from Espace Pro: the accessible tree of the running app whose window
has the title given (the newest if none has),
read through AT-SPI (what Orca reads on Linux), printed as JSON on stdout.

Run with Debian's python3 and python3-pyatspi (`/usr/bin/python3`), inside the D-Bus session
the app runs in, the app started without NO_AT_BRIDGE. Prints
{"frame": window title, "document": page name, "nodes": [...]}, one node per accessible object
of the page in reading order, each with its role, name, depth, states and attributes.
"""

import json
import sys

import pyatspi

NAME = sys.argv[1] if len(sys.argv) > 1 else "espace-pro"
# The window title of the app under test: when another app of the same name is running (a test
# beside this one), the one whose window has this title is read.
TITLE = sys.argv[2] if len(sys.argv) > 2 else None
STATES = {
    "focusable": pyatspi.STATE_FOCUSABLE,
    "focused": pyatspi.STATE_FOCUSED,
    "showing": pyatspi.STATE_SHOWING,
}


def attributes(obj):
    out = {}
    for pair in obj.getAttributes() or []:
        key, _, value = pair.partition(":")
        out[key] = value
    return out


def node(obj, depth):
    states = obj.getState()
    return {
        "role": obj.getRoleName(),
        "name": obj.name or "",
        "description": obj.description or "",
        "depth": depth,
        "states": [k for k, s in STATES.items() if states.contains(s)],
        "attributes": attributes(obj),
    }


def walk(obj, depth, out):
    out.append(node(obj, depth))
    for i in range(obj.childCount):
        child = obj.getChildAtIndex(i)
        if child is not None:
            walk(child, depth + 1, out)


def find(obj, role):
    if obj.getRoleName() == role:
        return obj
    for i in range(obj.childCount):
        child = obj.getChildAtIndex(i)
        found = child is not None and find(child, role)
        if found:
            return found
    return None


def main():
    desktop = pyatspi.Registry.getDesktop(0)
    apps = []
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        try:
            if app is not None and app.name == NAME:
                apps.append((app.get_process_id(), app))
        except Exception:  # an app that ended while being read
            continue
    if not apps:
        print(json.dumps({"error": f"no application {NAME!r} on the accessibility bus"}))
        return
    # The newest app whose window has the title asked for; the newest of all otherwise.
    apps.sort(key=lambda a: a[0], reverse=True)
    app = apps[0][1]
    frame = find(app, "frame")
    if TITLE is not None:
        for _, candidate in apps:
            try:
                window = find(candidate, "frame")
            except Exception:  # an app that ended while being read
                continue
            if window is not None and window.name == TITLE:
                app, frame = candidate, window
                break
    document = frame and find(frame, "document web")
    if document is None:
        print(json.dumps({"error": "no web document in the window"}))
        return
    nodes = []
    walk(document, 0, nodes)
    print(json.dumps({"frame": frame.name, "document": document.name, "nodes": nodes}, ensure_ascii=False))


main()
