#!/usr/bin/env python3
"""A man page (roff) from an ArgumentParser command's `--experimental-dump-help` JSON on stdin:
the command, then each subcommand with its options, so `man appliance` says what `--help` says."""
import argparse
import json
import sys


def roff(text):
    """Escapes what roff reads as requests or escapes."""
    text = (text or "").replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in text.split("\n"))


def usage_of(argument):
    names = argument.get("names") or []
    flags = ", ".join(("-" if n["kind"] == "short" else "--") + n["name"] for n in names)
    value = argument.get("valueName")
    if argument["kind"] == "positional":
        return "<%s>" % value
    if argument["kind"] == "option":
        return "%s <%s>" % (flags, value)
    return flags


def describe(command, path, out):
    arguments = [a for a in command.get("arguments") or [] if a.get("shouldDisplay", True)]
    out.append(".SH %s" % roff(" ".join(path).upper()) if len(path) > 1 else ".SH DESCRIPTION")
    out.append(roff(command.get("abstract", "")))
    if command.get("discussion"):
        out.append(".PP")
        out.append(roff(command["discussion"]))
    for argument in arguments:
        if any(n["name"] in ("help", "h", "version") for n in argument.get("names") or []):
            continue
        out.append(".TP")
        out.append("\\fB%s\\fR" % roff(usage_of(argument)))
        text = argument.get("abstract", "")
        if argument.get("defaultValue") not in (None, "") and argument["kind"] == "option":
            text += " (default: %s)" % argument["defaultValue"]
        out.append(roff(text))
    for sub in command.get("subcommands") or []:
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            describe(sub, path + [sub["commandName"]], out)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--section", default="8")
    args = parser.parse_args()
    command = json.load(sys.stdin)["command"]
    name = command["commandName"]
    subcommands = [s["commandName"] for s in command.get("subcommands") or [] if s.get("shouldDisplay", True) and s["commandName"] != "help"]
    out = ['.TH %s %s "" "12345 hotline" "12345 hotline"' % (roff(name.upper()), args.section),
           ".SH NAME", "%s \\- %s" % (roff(name), roff(command.get("abstract", ""))),
           ".SH SYNOPSIS", "\\fB%s\\fR [\\fB\\-\\-version\\fR] %s [\\fIoptions\\fR]" % (roff(name), roff("|".join(subcommands)))]
    describe(command, [name], out)
    out += [".SH FILES", ".TP", "/etc/hotline/box.yaml", "The box's config (see CONFIG.md in /usr/share/doc).",
            ".SH SEE ALSO", "/usr/share/doc/hotline\\-appliance/INSTALL.md"] if name == "appliance" else []
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
